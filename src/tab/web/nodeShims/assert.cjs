// The page's stand-in for Node's `assert`, which antlr4ts (under adaptive-expressions, under the card
// templating) calls as a function. A failed assertion throws, as Node's does.
function assert(value, message) {
  if (!value) throw new Error(message || 'assertion failed');
}
assert.ok = assert;
assert.equal = (actual, expected, message) => assert(actual == expected, message);
assert.strictEqual = (actual, expected, message) => assert(actual === expected, message);
assert.notStrictEqual = (actual, expected, message) => assert(actual !== expected, message);
module.exports = assert;
