import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectoryFileError, FileDirectory, loadDirectoryFile, parseDirectoryFile } from '../../src/directory/directoryFile';
import { PROJECT_ROOT } from '../../src/paths';

const PAT = 'aaaaaaaa-0000-0000-0000-000000000001';
const LEE = 'aaaaaaaa-0000-0000-0000-000000000002';
const SAM = 'aaaaaaaa-0000-0000-0000-000000000003';
const ALEX = 'aaaaaaaa-0000-0000-0000-000000000004';
const JO = 'aaaaaaaa-0000-0000-0000-000000000005';
const EXAMPLE = path.join(PROJECT_ROOT, 'env', 'directory.example.yaml');

/** The problems, one line each, from parsing `yaml` (which must fail). */
function problemsOf(yaml: string, file = 'directory.yaml'): string[] {
  try {
    parseDirectoryFile(yaml, file);
  } catch (e) {
    assert.ok(e instanceof DirectoryFileError, `expected DirectoryFileError, got ${String(e)}`);
    assert.match(e.message, /The directory file is not valid/);
    return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
  }
  return assert.fail('expected the file to be refused');
}

const person = (id: string, name: string, extra = '') => `  - id: ${id}\n    name: ${name}\n${extra}`;

describe('directory file', function () {
  this.timeout(5000);

  describe('the example file (invented people)', function () {
    const dir = FileDirectory.fromFile(EXAMPLE);

    it('loads and answers who manages whom', async function () {
      assert.deepEqual(await dir.managerOf(PAT), { aadObjectId: LEE, displayName: 'Lee Manager' });
      assert.deepEqual(await dir.managerOf(LEE), { aadObjectId: SAM, displayName: 'Sam Head' });
      assert.equal(await dir.managerOf(ALEX), null, 'the second practitioner has no manager');
      assert.equal(await dir.managerOf(SAM), null);
      assert.equal(await dir.managerOf('ffffffff-0000-0000-0000-000000000099'), null, 'someone not in the file');
    });

    it('ignores the case of object ids', async function () {
      assert.equal((await dir.managerOf(PAT.toUpperCase()))?.aadObjectId, LEE);
    });

    it('lists direct reports, by name', async function () {
      assert.deepEqual(await dir.reportsOf(LEE), [
        { aadObjectId: JO, displayName: 'Jo Deputy' },
        { aadObjectId: PAT, displayName: 'Pat Practitioner' },
      ]);
      assert.deepEqual(await dir.reportsOf(PAT), []);
    });

    it('gives each team\'s Head of Service / on-call contact', async function () {
      assert.deepEqual(await dir.escalationContactsFor(PAT), { headOfService: { aadObjectId: SAM, displayName: 'Sam Head' } });
      assert.deepEqual(await dir.escalationContactsFor(ALEX), { headOfService: { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000006', displayName: 'Robin Oncall' } });
      assert.deepEqual(await dir.escalationContactsFor('ffffffff-0000-0000-0000-000000000099'), { headOfService: null });
    });

    it('gives a manager\'s delegates', async function () {
      assert.deepEqual(await dir.delegatesOf(LEE), [{ aadObjectId: JO, displayName: 'Jo Deputy' }]);
      assert.deepEqual(await dir.delegatesOf(PAT), []);
    });
  });

  it('accepts a minimal file: people only, managers optional or empty', async function () {
    const dir = new FileDirectory(parseDirectoryFile(`people:\n${person(PAT, 'Pat', `    manager: ${LEE}\n`)}${person(LEE, 'Lee', '    manager:\n')}`, 'min.yaml'));
    assert.equal((await dir.managerOf(PAT))?.displayName, 'Lee');
    assert.equal(await dir.managerOf(LEE), null);
    assert.deepEqual(await dir.escalationContactsFor(PAT), { headOfService: null });
  });

  describe('refuses an invalid file, naming the file, the entry and the field', function () {
    it('a file that is not YAML', function () {
      const [p] = problemsOf('people: [\n  - id: x', 'bad.yaml');
      assert.match(p ?? '', /^bad\.yaml: \(yaml\): /);
    });

    it('a duplicate key', function () {
      assert.match(problemsOf(`people: []\npeople: []\n`)[0] ?? '', /\(yaml\): Map keys must be unique/);
    });

    it('an empty file', function () {
      assert.deepEqual(problemsOf(''), ['directory.yaml: (file): the file is empty: list the people under people:']);
    });

    it('a file that is not a mapping', function () {
      assert.match(problemsOf('- just\n- a list\n')[0] ?? '', /^directory\.yaml: \(file\): the file must be a mapping/);
    });

    it('an unknown top-level field', function () {
      assert.match(problemsOf('people: []\nmanagers: []\n')[0] ?? '', /^directory\.yaml: \(file\): unknown field managers/);
    });

    it('an id that is not an Entra object id, a missing name and a misspelt field', function () {
      const problems = problemsOf(`people:\n  - id: pat\n    name: Pat\n  - id: ${LEE}\n  - id: ${SAM}\n    name: Sam\n    manger: ${LEE}\n`);
      assert.deepEqual(problems, [
        'directory.yaml: person pat (Pat): id: must be an Entra object id, a GUID such as aaaaaaaa-0000-0000-0000-000000000001',
        `directory.yaml: person ${LEE}: name: is required`,
        `directory.yaml: person ${SAM} (Sam): (entry): unknown field manger`,
      ]);
    });

    it('a duplicate person id', function () {
      assert.deepEqual(problemsOf(`people:\n${person(PAT, 'Pat')}${person(PAT.toUpperCase(), 'Pat Again')}`), [
        `directory.yaml: people #2: id: duplicate id ${PAT} (already used by Pat)`,
      ]);
    });

    it('an unknown manager id', function () {
      assert.deepEqual(problemsOf(`people:\n${person(PAT, 'Pat', `    manager: ${LEE}\n`)}`), [
        `directory.yaml: person ${PAT} (Pat): manager: unknown person id ${LEE}: add the manager to people`,
      ]);
    });

    it('a person managing themselves', function () {
      assert.deepEqual(problemsOf(`people:\n${person(PAT, 'Pat', `    manager: ${PAT}\n`)}`), [
        `directory.yaml: person ${PAT} (Pat): manager: a person cannot be their own line manager`,
      ]);
    });

    it('a cycle in the management chain, reported once', function () {
      const yaml = `people:\n${person(PAT, 'Pat', `    manager: ${LEE}\n`)}${person(LEE, 'Lee', `    manager: ${SAM}\n`)}${person(SAM, 'Sam', `    manager: ${PAT}\n`)}${person(JO, 'Jo', `    manager: ${PAT}\n`)}`;
      assert.deepEqual(problemsOf(yaml), [`directory.yaml: person ${PAT} (Pat): manager: the management chain loops: Pat → Lee → Sam → Pat`]);
    });

    it('an unknown team, a duplicate team and an unknown Head of Service', function () {
      const yaml = [
        'people:',
        person(PAT, 'Pat', '    team: south\n').trimEnd(),
        'teams:',
        '  - id: north',
        '    name: North',
        `    headOfService: ${SAM}`,
        '  - id: north',
        '    name: North again',
      ].join('\n');
      assert.deepEqual(problemsOf(yaml), [
        'directory.yaml: teams #2: id: duplicate team id north',
        `directory.yaml: person ${PAT} (Pat): team: unknown team south: add it to teams`,
        `directory.yaml: team north: headOfService: unknown person id ${SAM}: add them to people, or write {id, name}`,
      ]);
    });

    it('a Head of Service that is neither an id nor {id, name}, or whose name differs from people', function () {
      const yaml = [
        'people:',
        person(SAM, 'Sam Head').trimEnd(),
        'teams:',
        '  - id: north',
        '    name: North',
        '    headOfService: [1, 2]',
        '  - id: east',
        '    name: East',
        `    headOfService: {id: ${SAM}, name: Samuel}`,
      ].join('\n');
      assert.deepEqual(problemsOf(yaml), [
        'directory.yaml: team north: headOfService: must be a person id from people, or {id, name}',
      ]);
      const second = yaml.replace('    headOfService: [1, 2]\n', '');
      assert.deepEqual(problemsOf(second), [`directory.yaml: team east: headOfService.name: "Samuel" differs from the people entry for ${SAM} ("Sam Head")`]);
    });

    it('bad delegates: unknown manager, unknown delegate, the manager themselves, a repeat, a bad id', function () {
      const yaml = [
        'people:',
        person(PAT, 'Pat').trimEnd(),
        person(LEE, 'Lee').trimEnd(),
        'delegates:',
        `  ${LEE}: [${PAT}, ${LEE}, ${PAT}, ${SAM}]`,
        `  ${SAM}: [${PAT}]`,
        '  lee: []',
        `  ${PAT}: [jo]`,
      ].join('\n');
      assert.deepEqual(problemsOf(yaml), [
        `directory.yaml: delegates of ${PAT}: #1: must be an Entra object id, a GUID such as aaaaaaaa-0000-0000-0000-000000000001`,
      ]);
      const noBadIds = yaml.replace(`  ${PAT}: [jo]`, '');
      assert.deepEqual(problemsOf(noBadIds), [
        `directory.yaml: delegates of ${LEE}: #2: a manager cannot be their own delegate`,
        `directory.yaml: delegates of ${LEE}: #3: ${PAT} is listed twice`,
        `directory.yaml: delegates of ${LEE}: #4: unknown person id ${SAM}: add the delegate to people`,
        `directory.yaml: delegates of ${SAM}: (key): unknown person id ${SAM}: add the manager to people`,
        "directory.yaml: delegates of lee: (key): must be the manager's Entra object id (a GUID)",
      ]);
    });

    it('lists every problem at once', function () {
      const yaml = `people:\n${person(PAT, 'Pat', `    manager: ${PAT}\n`)}${person(LEE, 'Lee', `    manager: ${SAM}\n    team: nowhere\n`)}`;
      assert.equal(problemsOf(yaml).length, 3);
    });

    it('a missing file, naming it', function () {
      const missing = path.join(os.tmpdir(), `channelcheck-no-such-directory-${process.pid}.yaml`);
      assert.throws(() => loadDirectoryFile(missing), (e: unknown) => e instanceof DirectoryFileError && /no-such-directory.*: \(file\): file not found \(check CHANNELCHECK_DIRECTORY_FILE\)/.test(e.message));
    });

    it('names the file as given when loading from disk', function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'channelcheck-dir-'));
      const file = path.join(dir, 'directory.yaml');
      fs.writeFileSync(file, `people:\n${person(PAT, 'Pat', `    manager: ${LEE}\n`)}`);
      try {
        assert.throws(() => loadDirectoryFile(file), (e: unknown) => e instanceof DirectoryFileError && e.message.includes(`directory.yaml: person ${PAT} (Pat): manager: unknown person id`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
