// Preloaded into greenlight by the memory benchmark (node --expose-gc --import this file): a full
// garbage collection on SIGUSR2, so that resident memory is measured without collectable garbage.
process.on('SIGUSR2', () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
});
