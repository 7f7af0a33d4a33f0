/**
 * electron-builder's beforeBuild hook. Returning false tells it that node_modules are handled
 * elsewhere: it neither installs, rebuilds nor collects them into the app. electron-vite has
 * already bundled everything the desktop main process runs into out/main (electron.vite.config.ts),
 * so the package.json `dependencies` (the server's too: better-sqlite3, mediasoup, ...) stay out
 * of the installer. main/packaging/package-app.test.ts packs the app and checks.
 */
module.exports = async function beforeBuild() {
  return false;
};
