/** Step Functions task "AnalyzeSymbol" (inside the Map): scan or back-test one symbol, store its result. */
import { SymbolTaskSchema } from '../model.js';
import { runSymbol } from '../runtime.js';

export const handler = async (event: unknown) => runSymbol(SymbolTaskSchema.parse(event));
