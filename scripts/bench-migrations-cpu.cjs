// Preloaded into a CLI process by the benchmark (node --require): reports the process's CPU time
// (user + system, every thread) on stderr as it exits, since spawnSync cannot measure a child's.
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`cpu-ms=${Math.round((user + system) / 1000)}\n`);
});
