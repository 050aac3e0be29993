export { DecodeError } from './decode-error.js';
export { EncodeError } from './encode-error.js';
export { Reader } from './reader.js';
export { Writer, uvarintSize, varintSize } from './writer.js';
