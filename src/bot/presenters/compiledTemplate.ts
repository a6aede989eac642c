/**
 * A card template compiled once into closures, so that binding it to data does a fraction of the work of
 * adaptivecards-templating's `Template.expand` while producing the same card, value for value.
 *
 * What it does, and how it stays the library's semantics (adaptivecards-templating 2.3.1,
 * lib/template-engine.js, over adaptive-expressions 4.23):
 * - The payload is prepared as `Template.prepare` does it: every string is parsed once with the library's own
 *   `Template.parseInterpolatedString` (so a lone `${x}` keeps the type of x, anything else is a string).
 * - Objects, arrays and scalars expand exactly as `internalExpand` does: reserved keys ($data, $when, $root,
 *   $index, $host, $_acTemplateVersion) are left out, a key whose value expands to undefined is omitted;
 *   in an array a null item is dropped and an array item is flattened into it; `$data` (an expression or a
 *   literal) repeats the object per item of an array and sets `$index`, a non-array `$data` sets the scope,
 *   an undefined item keeps the previous scope; `$when` keeps the object only if it evaluates to boolean
 *   true without substitution (a non-expression `$when` that is truthy drops it); an object expanded zero
 *   times is null, once is that object, more times is an array. `$data`/`$index` are restored after the
 *   object. Every object and array of the card is new (constant parts included), as the library's are;
 *   values taken from the data (objects, arrays) are the data's own, as the library's are.
 * - Expressions are the library's parsed AEL Expression objects, evaluated with adaptive-expressions, with
 *   the options and memory the library uses (undefined fields substituted by `${path}` or by
 *   `GlobalSettings.getUndefinedFieldValueSubstitutionString`, except in `$when`), and an interpolated
 *   string evaluated part by part with a failed part replaced by `${part}`, as the library does.
 *   Three things are cheaper, with the same results:
 *   - a plain property path (`${title}`, `${script.title}`, `${$data}`, `${$root.a.b}`, `${$index}`), alone
 *     or as a part of an interpolated string, is read directly from the data with SimpleObjectMemory's
 *     rules (case-insensitive property names taking the first match, numeric parts index arrays, an index
 *     out of range or a falsy scope gives undefined), without an evaluation;
 *   - inside other expressions (`${count(doNow) > 0}`, `${kind == 'choice'}`), which adaptive-expressions
 *     evaluates, a plain path node gets an evaluator doing what the Accessor evaluator does with the path
 *     built once (same node type and children);
 *   - the memory handed to adaptive-expressions reads paths with the same rules, each path split once, and
 *     is one object per card, refilled before each evaluation (nothing writes to it: see below).
 * - Not supported, and bound with the library instead (`compileTemplate` returns undefined): a template
 *   using setPathToValue, the one function that writes to the memory.
 * - Not kept: the library's expansion warnings (`getLastTemplateExpansionWarnings`), which nothing reads.
 * test/bot/presenters/compiledTemplate.test.ts binds every template with both and compares the cards.
 */
import * as AEL from 'adaptive-expressions';
import * as ACData from 'adaptivecards-templating';
import templatingPackage from 'adaptivecards-templating/package.json';

/** The data a template is bound to, as `Template.expand` takes it. */
export interface BindingContext {
  $root?: unknown;
  $host?: unknown;
}

export interface CompiledTemplate {
  expand(context: BindingContext): unknown;
}

/** The state of one expansion: the library's EvaluationContext. `data` is its raw `_$data`. */
interface Scope {
  root: unknown;
  host: unknown;
  version: unknown;
  data: unknown;
  index: unknown;
  memory: TemplateMemory | undefined;
}

type Expand = (s: Scope) => unknown;

const RESERVED = ['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion'];

/** The keys of the library's TemplateObjectMemory, in the order it has them: a path's first part picks one. */
const MEMORY_KEYS = ['_memory', '$root', '$data', '$index', '$host', '$_acTemplateVersion'] as const;
type MemoryKey = (typeof MEMORY_KEYS)[number];

/** A path split as SimpleObjectMemory.getValue splits it, with its first part resolved against the memory. */
interface Path {
  /** The path as the expression names it: what a failed lookup is substituted with. */
  text: string;
  first: MemoryKey | undefined;
  names: string[];
  lower: string[];
  indexes: number[];
}

function splitPath(text: string): Path {
  // TemplateObjectMemory.getValue: a path not starting with "$" is under $data.
  const actual = text.length > 0 && text[0] !== '$' ? '$data.' + text : text;
  // SimpleObjectMemory.getValue's split.
  const parts = actual
    .split(/[.[\]]+/)
    .filter((u) => u !== undefined && u !== '')
    .map((u) => ((u.startsWith('"') && u.endsWith('"')) || (u.startsWith("'") && u.endsWith("'")) ? u.substr(1, u.length - 2) : u));
  const [head, ...rest] = parts;
  const headLower = head?.toLowerCase();
  return {
    text,
    // The memory is an object whose keys are MEMORY_KEYS: the first key equal ignoring case, as accessProperty finds it.
    first: headLower === undefined ? undefined : MEMORY_KEYS.find((k) => k.toLowerCase() === headLower),
    names: rest,
    lower: rest.map((u) => u.toLowerCase()),
    indexes: rest.map((u) => parseInt(u)),
  };
}

/** InternalFunctionUtils.accessProperty: the first own key equal ignoring case. */
function accessProperty(instance: unknown, name: string, lower: string): unknown {
  if (!instance) return undefined;
  if (instance instanceof Map) {
    let value: unknown = instance.get(name);
    if (value === undefined) {
      const key: unknown = Array.from(instance.keys()).find((k: string) => k.toLowerCase() === lower);
      if (key !== undefined) value = instance.get(key);
    }
    return value;
  }
  const keys = Object.keys(instance as object);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === name || k.toLowerCase() === lower) return (instance as Record<string, unknown>)[k];
  }
  return undefined;
}

/** SimpleObjectMemory.getValue over the memory whose first-part value is `start`. */
function walk(start: unknown, p: Path): unknown {
  if (p.first === undefined) return undefined;
  let value = start;
  for (let i = 0; i < p.names.length; i++) {
    const idx = p.indexes[i]!;
    if (!isNaN(idx) && Array.isArray(value)) {
      // accessIndex: out of range is an error, and getValue gives undefined.
      if (!(idx >= 0 && idx < value.length)) return undefined;
      value = value[idx];
    } else {
      if (!value) return undefined;
      value = accessProperty(value, p.names[i]!, p.lower[i]!);
    }
  }
  return value;
}

function scopeValue(s: Scope, key: MemoryKey): unknown {
  switch (key) {
    case '$root':
      return s.root;
    case '$data':
      return s.data !== undefined ? s.data : s.root;
    case '$index':
      return s.index;
    case '$host':
      return s.host;
    case '$_acTemplateVersion':
      return s.version;
    case '_memory':
      return memoryOf(s)._memory;
  }
}

const PATHS = new Map<string, Path>();
const PATHS_KEPT = 2000;

/**
 * The library's TemplateObjectMemory (same keys, same order), whose getValue follows SimpleObjectMemory's
 * rules with each path split once. Templates that could write to it are not compiled.
 */
class TemplateMemory implements AEL.MemoryInterface {
  _memory: AEL.SimpleObjectMemory;
  $root: unknown;
  $data: unknown;
  $index: unknown;
  $host: unknown;
  $_acTemplateVersion: unknown;

  constructor() {
    this._memory = new AEL.SimpleObjectMemory(this);
  }

  getValue(path: string): unknown {
    if (path.length === 0) return undefined;
    let p = PATHS.get(path);
    if (p === undefined) {
      p = splitPath(path);
      if (PATHS.size < PATHS_KEPT) PATHS.set(path, p);
    }
    return p.first === undefined ? undefined : walk(this[p.first], p);
  }

  setValue(path: string, value: unknown): void {
    this._memory.setValue(path, value);
  }

  version(): string {
    return this._memory.version();
  }
}

/** The memory for the scope's current state, as internalTryEvaluateExpression fills it. */
function memoryOf(s: Scope): TemplateMemory {
  let m = s.memory;
  if (m === undefined) {
    m = new TemplateMemory();
    s.memory = m;
  }
  m.$root = s.root;
  m.$data = s.data !== undefined ? s.data : s.root;
  m.$index = s.index;
  m.$host = s.host;
  m.$_acTemplateVersion = s.version;
  return m;
}

/** internalTryEvaluateExpression's nullSubstitution. */
function substitute(path: string): string {
  let value: string | undefined = undefined;
  if (ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString) value = ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString(path);
  return value ? value : '${' + path + '}';
}

const SUBSTITUTING = new AEL.Options();
SUBSTITUTING.nullSubstitution = substitute;

/** The path of an expression that is only property accesses, as FunctionUtils.tryAccumulatePath builds it. */
function plainPath(expression: AEL.Expression): Path | undefined {
  let text = '';
  let left: AEL.Expression | undefined = expression;
  while (left !== undefined) {
    if (left.type !== AEL.ExpressionType.Accessor) return undefined;
    const name = left.children[0];
    if (!(name instanceof AEL.Constant) || typeof name.value !== 'string' || left.children.length > 2) return undefined;
    text = name.value + '.' + text;
    left = left.children.length === 2 ? left.children[1] : undefined;
  }
  text = text.replace(/(\.*$)/g, '').replace(/(\.\[)/g, '[');
  return text === '' ? undefined : splitPath(text);
}

function read(s: Scope, p: Path): unknown {
  return p.first === undefined ? undefined : walk(scopeValue(s, p.first), p);
}

/** An expression in a value or `$data`: evaluated with substitution; an error fails the expansion. */
function compileValue(expression: AEL.Expression): Expand {
  if (expression.type === AEL.ExpressionType.Concat) return compileInterpolation(expression);
  const path = plainPath(expression);
  if (path !== undefined) {
    return (s) => {
      const value = read(s, path);
      return value !== undefined ? value : substitute(path.text);
    };
  }
  return (s) => {
    const result = expression.tryEvaluate(memoryOf(s), SUBSTITUTING);
    if (result.error) throw new Error(result.error);
    return result.value;
  };
}

type Part = { kind: 'text'; text: string } | { kind: 'path'; path: Path } | { kind: 'other'; expression: AEL.Expression; failed: string };

/** An interpolated string: each part evaluated on its own, a failed part written as `${part}`. */
function compileInterpolation(concat: AEL.Expression): Expand {
  const parts: Part[] = concat.children.map((child): Part => {
    if (child instanceof AEL.Constant && child.value !== null && child.value !== undefined) return { kind: 'text', text: String(child.value.toString()) };
    const path = plainPath(child);
    if (path !== undefined) return { kind: 'path', path };
    return { kind: 'other', expression: child, failed: '${' + child.toString() + '}' };
  });
  return (s) => {
    let result = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.kind === 'text') {
        result += part.text;
      } else if (part.kind === 'path') {
        const value = read(s, part.path);
        result += ((value !== undefined ? value : substitute(part.path.text)) as { toString(): string }).toString();
      } else {
        let value: unknown;
        let error: unknown;
        try {
          ({ value, error } = part.expression.tryEvaluate(memoryOf(s), SUBSTITUTING));
        } catch (ex) {
          error = ex;
        }
        if (error) value = part.failed;
        result += (value as { toString(): string }).toString();
      }
    }
    return result;
  };
}

/** A `$when` expression: evaluated without substitution; anything but boolean true (or an error) is false. */
function compileWhen(expression: AEL.Expression): (s: Scope) => boolean {
  const path = expression.type === AEL.ExpressionType.Concat ? undefined : plainPath(expression);
  if (path !== undefined) {
    return (s) => {
      const value = read(s, path);
      return typeof value === 'boolean' && value;
    };
  }
  return (s) => {
    const result = expression.tryEvaluate(memoryOf(s), undefined);
    return !result.error && typeof result.value === 'boolean' && result.value;
  };
}

/** A node that is not a string, array, object or expression: itself. */
const isLeaf = (node: unknown) => node === null || (typeof node !== 'object' && typeof node !== 'string');

function compileNode(node: unknown): Expand {
  if (node instanceof AEL.Expression) return compileValue(node);
  if (Array.isArray(node)) return compileArray(node);
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>);
  return () => node;
}

function compileArray(items: unknown[]): Expand {
  const constant = items.map((item) => !(item instanceof AEL.Expression) && !Array.isArray(item) && (typeof item !== 'object' || item === null));
  const children = items.map((item, i) => (constant[i] ? undefined : compileNode(item)));
  return (s) => {
    let result: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const child = children[i];
      const value = child === undefined ? items[i] : child(s);
      if (value !== null) {
        if (Array.isArray(value)) result = result.concat(value);
        else result.push(value);
      }
    }
    return result;
  };
}

function compileObject(node: Record<string, unknown>): Expand {
  const keys = Object.keys(node).filter((k) => !RESERVED.includes(k));
  const leaves = keys.map((k) => (node[k] instanceof AEL.Expression || !(typeof node[k] === 'string' || isLeaf(node[k])) ? undefined : node[k]));
  const children = keys.map((k, i) => (leaves[i] === undefined ? compileNode(node[k]) : undefined));
  const single: Expand = (s) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const child = children[i];
      const value = child === undefined ? leaves[i] : child(s);
      if (value !== undefined) result[keys[i]!] = value;
    }
    return result;
  };

  const when = node['$when'];
  const dataNode = node['$data'];
  const whenTest = when instanceof AEL.Expression ? compileWhen(when) : undefined;
  // A `$when` that is not an expression drops the object if it is truthy.
  const alwaysDropped = whenTest === undefined && Boolean(when);
  if (dataNode === undefined && whenTest === undefined) return alwaysDropped ? () => null : single;
  const dataValue = dataNode instanceof AEL.Expression ? compileValue(dataNode) : undefined;

  return (s) => {
    const savedData = s.data;
    const savedIndex = s.index;
    let contexts: unknown[];
    let isArray = false;
    if (dataNode === undefined) {
      contexts = [undefined];
    } else {
      const context = dataValue === undefined ? dataNode : dataValue(s);
      if (Array.isArray(context)) {
        contexts = context;
        isArray = true;
      } else {
        contexts = [context];
      }
    }
    const result: unknown[] = [];
    for (let i = 0; i < contexts.length; i++) {
      if (isArray) s.index = i;
      if (contexts[i] !== undefined) s.data = contexts[i];
      const dropped = whenTest !== undefined ? !whenTest(s) : alwaysDropped;
      if (!dropped) result.push(single(s));
    }
    s.data = savedData;
    s.index = savedIndex;
    return result.length === 0 ? null : result.length === 1 ? result[0] : result;
  };
}

/** ValueWithError types `error` as a string; the library's evaluators leave it undefined when there is none. */
const NO_ERROR = undefined as unknown as string;

/**
 * The expression with every plain property path inside it (`doNow` in `count(doNow) > 0`) given an
 * evaluator that does what the Accessor evaluator does for one (FunctionUtils.tryAccumulatePath, then
 * InternalFunctionUtils.wrapGetValue: the memory's value, else the options' substitution) with the path
 * built once. Each node keeps its type and children, so a function that reads its arguments' shape sees the
 * same tree; a node of a class other than Expression itself (Constant) is kept as it is.
 */
function withPlainPaths(expression: AEL.Expression): AEL.Expression {
  if (Object.getPrototypeOf(expression) !== AEL.Expression.prototype) return expression;
  const path = expression.type === AEL.ExpressionType.Accessor ? plainPath(expression) : undefined;
  if (path !== undefined) {
    const accessor = expression.evaluator;
    const evaluator = new AEL.ExpressionEvaluator(
      accessor.type,
      (_expression, state, options) => {
        const value = state instanceof TemplateMemory ? (path.first === undefined ? undefined : walk(state[path.first], path)) : state.getValue(path.text);
        if (value !== undefined) return { value, error: NO_ERROR };
        return { value: options.nullSubstitution !== undefined ? options.nullSubstitution(path.text) : undefined, error: NO_ERROR };
      },
      accessor.returnType,
      (e) => accessor.validateExpression(e),
    );
    return new AEL.Expression(accessor.type, evaluator, ...expression.children);
  }
  const children = expression.children.map(withPlainPaths);
  return children.every((c, i) => c === expression.children[i]) ? expression : new AEL.Expression(expression.type, expression.evaluator, ...children);
}

/** Template.prepare: strings parsed by the library, arrays and objects copied. */
function prepare(node: unknown): unknown {
  if (typeof node === 'string') {
    const parsed = ACData.Template.parseInterpolatedString(node);
    return parsed instanceof AEL.Expression ? withPlainPaths(parsed) : parsed;
  }
  if (typeof node === 'object' && node !== null) {
    if (Array.isArray(node)) return node.map(prepare);
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(node)) result[key] = prepare((node as Record<string, unknown>)[key]);
    return result;
  }
  return node;
}

function writesMemory(node: unknown): boolean {
  if (node instanceof AEL.Expression) return node.type === AEL.ExpressionType.SetPathToValue || node.children.some(writesMemory);
  if (typeof node === 'object' && node !== null) return Object.values(node).some(writesMemory);
  return false;
}

/** EvaluationContext.generateVersionJson: `$_acTemplateVersion`, from the library's package.json. */
function versionJson(): object {
  const versionSplit = templatingPackage.version.split('.');
  const patchSplit = versionSplit[2] ? versionSplit[2].split('-') : [];
  return { major: parseInt(versionSplit[0]!), minor: parseInt(versionSplit[1]!), patch: parseInt(patchSplit[0]!), suffix: patchSplit[1] || '' };
}

/** The template compiled, or undefined if it uses something only the library should bind (see above). */
export function compileTemplate(payload: unknown): CompiledTemplate | undefined {
  const prepared = prepare(payload);
  if (writesMemory(prepared)) return undefined;
  const root = compileNode(prepared);
  return {
    expand(context: BindingContext): unknown {
      return root({ root: context.$root, host: context.$host, version: versionJson(), data: undefined, index: undefined, memory: undefined });
    },
  };
}
