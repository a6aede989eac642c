/** The two scripts the councils prescribe are reproduced exactly as their source documents write them. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { POLICIES_DIR } from '../../src/paths';
import { catalogue, council, REQUIRED_COUNCILS } from '../support/policies';

const SHARED = path.resolve(__dirname, '../../../shared/policies');

/** The text between the outer straight double quotes that follow `marker` in the source. */
function quotedAfter(source: string, marker: string, closing: string): string {
  const at = source.indexOf(marker);
  assert.ok(at >= 0, `marker ${marker} not in source`);
  const open = source.indexOf('"', at + marker.length);
  const close = source.indexOf(closing, open + 1);
  return source.slice(open + 1, close);
}

describe('verbatim scripts', () => {
  it('Hillingdon 7.4 opening message matches the source character for character', () => {
    const source = fs.readFileSync(path.join(POLICIES_DIR, 'sources/hillingdon-whatsapp-policy.txt'), 'utf8');
    const expected = quotedAfter(source, 'sending the message outlined below, to help ensure clear terms of use and appropriate boundaries are set:', '."\n') + '.';
    const script = council('hillingdon').council.data.scripts.find((s) => s.id === 'hil-opening-message');
    assert.ok(script?.verbatim);
    assert.equal(script.text, expected);
    assert.ok(expected.startsWith('I need to make you aware') && expected.endsWith('unless this has been discussed and agreed.'));
  });

  it('Waltham Forest consent script matches the source, double spaces, typo and "YES" included', () => {
    const pack = council('waltham-forest');
    const source = fs.readFileSync(path.join(POLICIES_DIR, 'sources/waltham-forest-communication-tools-guidance.txt'), 'utf8');
    const expected = quotedAfter(source, 'the following text is advised- ', '"."') + '".';
    const script = pack.council.data.scripts.find((s) => s.verbatim);
    assert.ok(script, 'no verbatim script in the Waltham Forest pack');
    assert.equal(script.text, expected);
    assert.ok(script.text.includes('WhatsApp.  The platform'), 'two spaces after full stops');
    assert.ok(script.text.includes('to use using WhatsApp'), 'the source typo is kept');
    assert.ok(script.text.endsWith('respond to this chat with "YES".'));
  });

  it('the shipped source copies are the councils\' documents unchanged (when the originals are present)', function () {
    if (!fs.existsSync(SHARED)) this.skip();
    for (const f of fs.readdirSync(SHARED)) {
      assert.equal(fs.readFileSync(path.join(POLICIES_DIR, 'sources', f), 'utf8'), fs.readFileSync(path.join(SHARED, f), 'utf8'), f);
    }
  });
});

describe('council packs shipped', () => {
  it('has a pack for each of the five source documents', () => {
    assert.deepEqual([...catalogue().councils.keys()].sort(), [...REQUIRED_COUNCILS].sort());
  });
});
