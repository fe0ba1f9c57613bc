/**
 * What the health check loads to tell whether the engine is integrated: its analyze function and the code that
 * needs. Importing the package index instead (`import('chan-analysis')`) makes the bundler keep every export of it
 * — resampling, multi-level, CSV and RSI code the check never runs, 15 KB of the health bundle.
 */
export { analyze } from 'chan-analysis';
