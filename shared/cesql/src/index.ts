export { compile, Expression, type CesqlEvent, type Evaluation } from './expression';
export { CesqlError, type CesqlErrorKind, type CesqlValue } from './values';
