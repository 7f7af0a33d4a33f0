/**
 * Seat-calling bench: a real server process, agents signed in across queues with auto-answer on,
 * callers calling the queues open-loop at a given rate. Measures how fast calls reach an agent's
 * offer, how many queue calls per second the server handles, and its CPU and memory.
 *   npm run bench:acd -- --agents 1000 --queues 10 --rate 500 --duration 20
 * The last line printed is one JSON object {"bench":"acd", ...}.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readProc, cpuPct, rssSampler } from '../support/proc.js';
import {
  ADMIN_KEY,
  JWT_SECRET,
  type ServerProcess,
  startServerProcess,
} from '../signaling/server-process.js';
import { fmtSummary, round, summarize } from '../signaling/stats.js';
import { createUsers, signAccessTokens } from '../signaling/users.js';
import { parseAcdArgs } from './args.js';
import { AcdDriver } from './driver.js';
import { metricSum, scrape, serverP99Bound } from './metrics-scrape.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const live: { server?: ServerProcess; driver?: AcdDriver } = {};
process.on('exit', () => {
  live.driver?.close();
  live.server?.killNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.exit(130);
  });
}

async function admin(httpUrl: string, method: string, url: string, body?: unknown): Promise<void> {
  const res = await fetch(`${httpUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
}

async function main(): Promise<void> {
  const o = parseAcdArgs(process.argv.slice(2));
  console.log(
    `bench:acd  ${o.agents} agents in ${o.queues} queues (${o.strategy}), ${o.callers} callers, ` +
      `${o.rate} calls/s for ${o.durationSec} s (+${o.warmupSec} s warm-up); ` +
      `tone ${o.toneMs} ms, talk ${o.talkMs} ms, after-call work ${o.acwMs} ms`,
  );
  const server = await startServerProcess({
    cwd: REPO_ROOT,
    profile: false,
    outputFile: o.serverLog,
    configOverrides: {
      ...(o.serverLog ? { logLevel: 'info' } : {}),
      media: { enabled: false },
      // Callers place many calls each on one connection.
      signaling: { rateLimitPerSec: 5_000, rateLimitBurst: 5_000 },
    },
  });
  live.server = server;
  const agentIds = Array.from({ length: o.agents }, (_, i) => `acd-agent${i}`);
  const callerIds = Array.from({ length: o.callers }, (_, i) => `acd-caller${i}`);
  const queues = Array.from({ length: o.queues }, (_, i) => `q${i}`);
  const setupStart = performance.now();
  await createUsers({
    httpUrl: server.httpUrl,
    adminKey: ADMIN_KEY,
    userIds: [...agentIds, ...callerIds],
    concurrency: 16,
  });
  for (const name of queues) {
    await admin(server.httpUrl, 'POST', '/admin/queues', {
      name,
      strategy: o.strategy,
      afterCallWorkMs: o.acwMs,
      offerTimeoutMs: 10_000,
      maxWaitMs: 120_000,
    });
  }
  // Agents spread evenly: agent i belongs to queue i mod Q.
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < agentIds.length) {
        const i = next++;
        await admin(
          server.httpUrl,
          'PUT',
          `/admin/queues/q${i % o.queues}/agents/acd-agent${i}`,
          {},
        );
      }
    }),
  );
  const driver = new AcdDriver(server.wsUrl, { toneMs: o.toneMs, talkMs: o.talkMs });
  live.driver = driver;
  await driver.connectAgents(await signAccessTokens(JWT_SECRET, agentIds), 50);
  await driver.connectCallers(await signAccessTokens(JWT_SECRET, callerIds));
  console.log(`set-up: ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

  // Open loop: invites are due at a fixed rate whatever the server does.
  const start = performance.now();
  let sent = 0;
  let turn = 0;
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * o.rate) / 1000);
    for (; sent < due; sent++) driver.invite(queues[turn++ % queues.length] ?? 'q0');
  }, 2);
  const rss = rssSampler(server.pid);
  await sleep(o.warmupSec * 1000);
  // Scrapes happen outside the measured window: rendering the per-agent series takes a while.
  const metricsBefore = await scrape(server.httpUrl);
  const before = {
    proc: readProc(server.pid),
    driverCpu: process.cpuUsage(),
    at: performance.now(),
  };
  driver.measuring = true;
  await sleep(o.durationSec * 1000);
  driver.measuring = false;
  const windowEnd = performance.now();
  const procAfter = readProc(server.pid);
  const driverCpu = process.cpuUsage(before.driverCpu);
  clearInterval(tick);
  const scrapeStart = performance.now();
  const metricsAfter = await scrape(server.httpUrl);
  const scrapeMs = performance.now() - scrapeStart;
  const agentStatuses = Object.fromEntries(
    ['available', 'on-call', 'after-call-work', 'break', 'logged-out'].map((status) => [
      status,
      metricSum(metricsAfter, 'trayphone_cc_agents', `status="${status}"`),
    ]),
  );
  console.log('agents by status at the end of the window:', agentStatuses);
  console.log('queue waiting at the end:', metricSum(metricsAfter, 'trayphone_cc_queue_waiting'));
  // Let the last offers arrive before counting calls that never got one.
  await sleep(1_000);
  const unoffered = driver.unoffered();
  const rssPeak = rss.stop();
  const seconds = (windowEnd - before.at) / 1000;
  const delta = (name: string, label?: string): number =>
    metricSum(metricsAfter, name, label) - metricSum(metricsBefore, name, label);

  const latency = summarize(Float64Array.from(driver.latencies));
  const c = driver.counters;
  const decisions = delta('trayphone_cc_decisions_total');
  const entered = delta('trayphone_cc_queue_calls_total', 'outcome="entered"');
  const answered = delta('trayphone_cc_queue_calls_total', 'outcome="answered"');
  const serverCpu = cpuPct(before.proc, procAfter);
  const result = {
    bench: 'acd',
    agents: o.agents,
    queues: o.queues,
    strategy: o.strategy,
    rate: o.rate,
    durationSec: round(seconds, 1),
    invitedPerSec: round(c.invited / seconds, 1),
    enteredPerSec: round(entered / seconds, 1),
    answeredPerSec: round(answered / seconds, 1),
    decisionsPerSec: round(decisions / seconds, 1),
    entryToOfferMs: {
      p50: round(latency.p50),
      p99: round(latency.p99),
      max: round(latency.max),
      n: latency.count,
    },
    serverEntryToOfferP99BoundMs: round(serverP99Bound(metricsAfter, metricsBefore) * 1000, 2),
    inviteErrors: c.inviteErrors,
    acceptErrors: c.acceptErrors,
    otherErrors: c.otherErrors,
    neverOffered: unoffered,
    serverCpuPct: round(serverCpu, 1),
    serverRssMb: round((procAfter?.rssKb ?? 0) / 1024, 1),
    serverRssPeakMb: round(rssPeak.peakKb / 1024, 1),
    metricsScrapeMs: round(scrapeMs, 1),
    driverCpuPct: round(((driverCpu.user + driverCpu.system) / 1e6 / seconds) * 100, 1),
    // Other work on the machine skews every figure: the 1-minute load average at the end.
    cores: os.cpus().length,
    loadAvg1m: round(os.loadavg()[0] ?? Number.NaN, 2),
    targets: {
      // Entering the queue to the offer going out, as the server measures it (histogram bound).
      offerP99Within20ms: serverP99Bound(metricsAfter, metricsBefore) * 1000 <= 20,
      // The same seen from the clients: invite sent to `call.incoming` received.
      endToEndP99Within20ms: latency.p99 <= 20,
      handled500PerSec: answered / seconds >= 500,
    },
  };
  console.log(
    `entry -> offer, server-side (queue entry -> offer sent): p99 <= ` +
      `${String(result.serverEntryToOfferP99BoundMs)} ms (histogram bucket bound)`,
  );
  console.log(`entry -> offer, end to end (invite sent -> call.incoming): ${fmtSummary(latency)}`);
  console.log(
    `handled: ${result.enteredPerSec} entered/s, ${result.answeredPerSec} answered/s, ` +
      `${result.decisionsPerSec} decisions/s; server CPU ${result.serverCpuPct}% of a core, ` +
      `RSS ${result.serverRssMb} MB (peak ${result.serverRssPeakMb} MB); driver CPU ${result.driverCpuPct}%`,
  );
  if (driver.errorCodes.size > 0) console.log('errors:', Object.fromEntries(driver.errorCodes));
  driver.close();
  await server.stop(20_000);
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
