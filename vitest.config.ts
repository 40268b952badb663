import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real processes (socat, the C sign emulator, Chromium): keep them off each other's ports.
    pool: 'forks',
  },
});
