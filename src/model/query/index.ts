// Frameline's query language (see parse.ts for what a user can type). Pure: no DOM, no chrome.*.
// tokenize → parse → ast (compiled into one predicate); a term is a field (fields.ts), a text or /regex/ search
// (regex-safety.ts refuses the shapes that backtrack exponentially, or polynomially with two repetitions in a row),
// or a JSON term (json-terms.ts), which reads the raw text (json-scan.ts) with what each frame remembers about it
// (json-memo.ts), tells whether a text is JSON with regular expressions (json-valid.ts), and parses only when it must.
export { parseQuery } from './parse';
export { learnJson } from './json-memo';
export { exchangeQuery } from './pair-terms';
export { QueryError, type ParsedQuery, type Predicate, type QueryContext, type QueryRegex } from './types';
