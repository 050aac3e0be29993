export { DecodeError } from './decode-error.js';
export { Reader } from './reader.js';
export { Writer, uvarintSize, varintSize } from './writer.js';
