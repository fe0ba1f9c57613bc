export { BspCalculator } from './calculator.js';
export { BuySellPointImpl, type Features } from './point.js';
export { BspStore } from './store.js';
