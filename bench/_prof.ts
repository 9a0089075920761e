import { exportDataset } from '../src/index.js';
import { generateHome } from './gen-home.js';
const { home } = generateHome(300, () => {});
for await (const row of exportDataset({ home, format: 'openai', redact: false })) void row;
const t = performance.now();
for await (const row of exportDataset({ home, format: 'openai', redact: true })) void row;
console.log('redacted', performance.now() - t);
