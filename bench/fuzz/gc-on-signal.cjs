// Preloaded into the server by bench:fuzz (with --expose-gc): SIGUSR2 runs a full collection,
// so that the heap it reads afterwards is what the server keeps, not garbage not yet collected.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
});
