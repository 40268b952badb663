/** `npm start`: Skylt from its build in dist/ (fast), or from src/ when the build is missing or older than src/. */
import { loadEntry } from './load.js';

const { module, fromSource } = await loadEntry('main');
if (fromSource) {
  console.error(
    `skylt: ${fromSource}: running from the TypeScript source (a slower start); "npm run build" fixes that`,
  );
}
await module.startSkylt();
