// Pairing requests with their answers (issue #23): the engine, its sources of keys, the summary. Pure: no DOM.
export { Pairs, type PairInfo, type PairSource, type PairStats } from './pairs';
export { pairSource } from './source';
export { compileRule, type CompiledRule } from './rule';
export { originOf, ruleLookup, validRule, validRules, withRule } from './rules';
export { pairKeysOf, nameOf } from './from-decoded';
export { sortSummary, type SummaryColumn, type SummaryRow } from './summary';
export { PAIR_FLAG, PAIR_ROLE, idKey, type PairKey, type PairRole, type PairRule, type PairsLookup } from './types';
