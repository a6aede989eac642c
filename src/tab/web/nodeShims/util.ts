/** The page's stand-in for the parts of Node's `util` that adaptive-expressions and antlr4ts use. */
export const inspect = { custom: Symbol.for('nodejs.util.inspect.custom') };
const Encoder = globalThis.TextEncoder;
const Decoder = globalThis.TextDecoder;
export { Decoder as TextDecoder, Encoder as TextEncoder };
export default { inspect, TextEncoder: Encoder, TextDecoder: Decoder };
