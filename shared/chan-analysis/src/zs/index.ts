export { PivotImpl } from './pivot.js';
export { PivotList, type PivotConfig } from './pivot-list.js';
export { assignPivotsToSegments } from './assign.js';
