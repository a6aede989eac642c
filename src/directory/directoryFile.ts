/**
 * The embedded default directory: a YAML file (CHANNELCHECK_DIRECTORY_FILE) saying who manages whom, which
 * team each person is in, each team's Head of Service / on-call contact, and who may decide approvals on a
 * manager's behalf. The file is read and validated once at start; every problem in it is reported at once,
 * naming the file, the entry and the field. Format: docs/directory.md; example: env/directory.example.yaml.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Directory, EscalationContacts, Person } from '../domain/ports/directory';

/** An Entra (Azure AD) object id: a GUID. */
export const OBJECT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DirectoryProblem {
  file: string;
  /** Which entry, e.g. `person aaaaaaaa-… (Pat Practitioner)`, `team north-cin`, `delegates of aaaaaaaa-…`. */
  entry?: string;
  field: string;
  message: string;
}

export function formatDirectoryProblem(p: DirectoryProblem): string {
  return `${p.file}: ${p.entry ? `${p.entry}: ` : ''}${p.field}: ${p.message}`;
}

export class DirectoryFileError extends Error {
  constructor(readonly problems: DirectoryProblem[]) {
    super(`The directory file is not valid:\n${problems.map((p) => `  - ${formatDirectoryProblem(p)}`).join('\n')}`);
    this.name = 'DirectoryFileError';
  }
}

const required = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : what);
const objectId = z
  .string({ error: required('must be an Entra object id (text)') })
  .trim()
  .regex(OBJECT_ID_PATTERN, 'must be an Entra object id, a GUID such as aaaaaaaa-0000-0000-0000-000000000001')
  .transform((s) => s.toLowerCase());
const text = z.string({ error: required('must be text') }).trim().min(1, 'must not be empty');

const personSchema = z.strictObject({
  id: objectId,
  name: text,
  /** Object id of the line manager; absent or empty when the person has none. */
  manager: objectId.nullable().optional(),
  /** Id of an entry in `teams`. */
  team: text.nullable().optional(),
});

const contactSchema = z.strictObject({ id: objectId, name: text });

const teamSchema = z.strictObject({
  id: text,
  name: text,
  /** A person id from `people`, or `{id, name}` for someone not listed there (an on-call rota, say). */
  headOfService: z
    .union([objectId, contactSchema], { error: 'must be a person id from people, or {id, name}' })
    .nullable()
    .optional(),
});

const fileSchema = z.strictObject(
  {
    people: z.array(personSchema, { error: 'must be a list of people' }).default([]),
    teams: z.array(teamSchema, { error: 'must be a list of teams' }).default([]),
    /** Manager object id → object ids of the people who may decide approvals on the manager's behalf. */
    delegates: z.record(z.string(), z.array(objectId, { error: 'must be a list of person ids' }), { error: 'must map manager ids to lists of person ids' }).default({}),
  },
  { error: 'the file must be a mapping with people (and optionally teams and delegates)' },
);

type PersonEntry = z.infer<typeof personSchema>;
type TeamEntry = z.infer<typeof teamSchema>;

/** Validated contents of a directory file, with ids in lower case. */
export interface DirectoryData {
  people: { id: string; name: string; manager: string | null; team: string | null }[];
  teams: { id: string; name: string; headOfService: Person | null }[];
  delegates: Record<string, string[]>;
}

function describeEntry(raw: unknown, list: string, index: number): string {
  const items = (raw as Record<string, unknown> | null)?.[list];
  const item = Array.isArray(items) ? (items[index] as Record<string, unknown> | undefined) : undefined;
  const noun = list === 'people' ? 'person' : 'team';
  const id = typeof item?.id === 'string' ? item.id : null;
  const name = typeof item?.name === 'string' ? item.name : null;
  if (id && name && list === 'people') return `${noun} ${id} (${name})`;
  if (id) return `${noun} ${id}`;
  return `${list} #${index + 1}`;
}

function issueToProblem(file: string, raw: unknown, issue: z.core.$ZodIssue): DirectoryProblem {
  const p = issue.path.map(String);
  let entry: string | undefined;
  let field: string[] = p;
  if ((p[0] === 'people' || p[0] === 'teams') && p.length >= 2) {
    entry = describeEntry(raw, p[0], Number(p[1]));
    field = p.slice(2);
  } else if (p[0] === 'delegates' && p.length >= 2) {
    entry = `delegates of ${p[1]}`;
    field = p.slice(2).map((i) => `#${Number(i) + 1}`);
  }
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  const result: DirectoryProblem = { file, field: field.join('.') || (entry ? '(entry)' : '(file)'), message };
  if (entry) result.entry = entry;
  return result;
}

/** Parses and validates directory YAML. `file` is used in error messages. Throws DirectoryFileError. */
export function parseDirectoryFile(yamlText: string, file: string): DirectoryData {
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new DirectoryFileError(doc.errors.map((e) => ({ file, field: '(yaml)', message: e.message.split('\n')[0] ?? e.message })));
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) throw new DirectoryFileError([{ file, field: '(file)', message: 'the file is empty: list the people under people:' }]);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new DirectoryFileError(parsed.error.issues.map((i) => issueToProblem(file, raw, i)));
  return crossCheck(parsed.data, file);
}

function crossCheck(data: z.infer<typeof fileSchema>, file: string): DirectoryData {
  const problems: DirectoryProblem[] = [];
  const personLabel = (p: PersonEntry) => `person ${p.id} (${p.name})`;

  const people = new Map<string, PersonEntry>();
  data.people.forEach((person, i) => {
    const first = people.get(person.id);
    if (first) problems.push({ file, entry: `people #${i + 1}`, field: 'id', message: `duplicate id ${person.id} (already used by ${first.name})` });
    else people.set(person.id, person);
  });

  const teams = new Map<string, TeamEntry>();
  data.teams.forEach((team, i) => {
    if (teams.has(team.id)) problems.push({ file, entry: `teams #${i + 1}`, field: 'id', message: `duplicate team id ${team.id}` });
    else teams.set(team.id, team);
  });

  for (const person of people.values()) {
    const at = (field: string, message: string) => problems.push({ file, entry: personLabel(person), field, message });
    if (person.manager) {
      if (person.manager === person.id) at('manager', 'a person cannot be their own line manager');
      else if (!people.has(person.manager)) at('manager', `unknown person id ${person.manager}: add the manager to people`);
    }
    if (person.team && !teams.has(person.team)) at('team', `unknown team ${person.team}: add it to teams`);
  }

  for (const team of teams.values()) {
    const hos = team.headOfService;
    if (typeof hos === 'string' && !people.has(hos)) {
      problems.push({ file, entry: `team ${team.id}`, field: 'headOfService', message: `unknown person id ${hos}: add them to people, or write {id, name}` });
    } else if (hos && typeof hos === 'object') {
      const listed = people.get(hos.id);
      if (listed && listed.name !== hos.name) {
        problems.push({ file, entry: `team ${team.id}`, field: 'headOfService.name', message: `"${hos.name}" differs from the people entry for ${hos.id} ("${listed.name}")` });
      }
    }
  }

  const delegates: Record<string, string[]> = {};
  for (const [rawManager, ids] of Object.entries(data.delegates)) {
    const entry = `delegates of ${rawManager}`;
    const manager = rawManager.trim().toLowerCase();
    if (!OBJECT_ID_PATTERN.test(manager)) {
      problems.push({ file, entry, field: '(key)', message: 'must be the manager\'s Entra object id (a GUID)' });
      continue;
    }
    if (!people.has(manager)) problems.push({ file, entry, field: '(key)', message: `unknown person id ${manager}: add the manager to people` });
    if (delegates[manager]) problems.push({ file, entry, field: '(key)', message: 'this manager is listed twice' });
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      const field = `#${i + 1}`;
      if (id === manager) problems.push({ file, entry, field, message: 'a manager cannot be their own delegate' });
      else if (!people.has(id)) problems.push({ file, entry, field, message: `unknown person id ${id}: add the delegate to people` });
      else if (seen.has(id)) problems.push({ file, entry, field, message: `${id} is listed twice` });
      seen.add(id);
    });
    delegates[manager] = [...seen].filter((id) => id !== manager);
  }

  // Cycles in the management chain (A manages B manages A): each loop is reported once.
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of people.keys()) {
    const chain: string[] = [];
    let id: string | null | undefined = start;
    while (id && people.has(id) && state.get(id) !== 'done') {
      if (state.get(id) === 'visiting') {
        const loop = chain.slice(chain.indexOf(id));
        const first = people.get(id) as PersonEntry;
        const names = [...loop, id].map((x) => `${people.get(x)?.name ?? x}`).join(' → ');
        if (loop.length > 1) problems.push({ file, entry: personLabel(first), field: 'manager', message: `the management chain loops: ${names}` });
        break;
      }
      state.set(id, 'visiting');
      chain.push(id);
      const next: PersonEntry = people.get(id) as PersonEntry;
      id = next.manager && next.manager !== next.id ? next.manager : null;
    }
    for (const c of chain) state.set(c, 'done');
  }

  if (problems.length > 0) throw new DirectoryFileError(problems);
  return {
    people: [...people.values()].map((p) => ({ id: p.id, name: p.name, manager: p.manager ?? null, team: p.team ?? null })),
    teams: [...teams.values()].map((t) => {
      const hos = t.headOfService;
      const headOfService =
        typeof hos === 'string'
          ? { aadObjectId: hos, displayName: (people.get(hos) as PersonEntry).name }
          : hos
            ? { aadObjectId: hos.id, displayName: hos.name }
            : null;
      return { id: t.id, name: t.name, headOfService };
    }),
    delegates,
  };
}

/** Reads and validates the file at `filePath` (relative paths are from the working directory). */
export function loadDirectoryFile(filePath: string): DirectoryData {
  const rel = path.relative(process.cwd(), path.resolve(filePath)) || filePath;
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found (check CHANNELCHECK_DIRECTORY_FILE)' : `cannot be read (${(e as Error).message})`;
    throw new DirectoryFileError([{ file: rel, field: '(file)', message }]);
  }
  return parseDirectoryFile(text, rel);
}

/** The Directory port over a validated directory file. Lookups ignore the case of object ids. */
export class FileDirectory implements Directory {
  private readonly people = new Map<string, DirectoryData['people'][number]>();
  private readonly teams = new Map<string, DirectoryData['teams'][number]>();

  constructor(private readonly data: DirectoryData) {
    for (const p of data.people) this.people.set(p.id, p);
    for (const t of data.teams) this.teams.set(t.id, t);
  }

  static fromFile(filePath: string): FileDirectory {
    return new FileDirectory(loadDirectoryFile(filePath));
  }

  /** Number of people in the file (for the start-up log). */
  get size(): number {
    return this.people.size;
  }

  private person(id: string): Person | null {
    const p = this.people.get(id.trim().toLowerCase());
    return p ? { aadObjectId: p.id, displayName: p.name } : null;
  }

  async managerOf(userAadId: string): Promise<Person | null> {
    const manager = this.people.get(userAadId.trim().toLowerCase())?.manager;
    return manager ? this.person(manager) : null;
  }

  async reportsOf(managerAadId: string): Promise<Person[]> {
    const id = managerAadId.trim().toLowerCase();
    return this.data.people
      .filter((p) => p.manager === id)
      .map((p) => ({ aadObjectId: p.id, displayName: p.name }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  async delegatesOf(managerAadId: string): Promise<Person[]> {
    const ids = this.data.delegates[managerAadId.trim().toLowerCase()] ?? [];
    return ids.map((id) => this.person(id)).filter((p): p is Person => p !== null);
  }

  async escalationContactsFor(userAadId: string): Promise<EscalationContacts> {
    const team = this.people.get(userAadId.trim().toLowerCase())?.team;
    const hos = team ? (this.teams.get(team)?.headOfService ?? null) : null;
    return { headOfService: hos ? { ...hos } : null };
  }
}
