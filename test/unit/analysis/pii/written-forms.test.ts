// Secrets and numbers as people actually paste them: auth headers in code and JSON, connection strings with
// raw '#' or an empty user, numbers grouped with no-break spaces, and full-width digits (found by adversarial
// testing: each of these was missed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPiiScanner, foldLookalikes } from '../../../../dataplane/analysis/pii/index.js';

const scanner = createPiiScanner();
const found = (text: string) =>
  scanner.scanText(text).map((f) => [f.type, f.subtype ?? null, text.slice(f.start, f.end)]);

const TOKEN = 'q8ZtR2mWv9XkP4sLn7YbC3dF6gH1jJ5e';

describe('written forms', () => {
  it('finds an Authorization header written as code or JSON, quotes and escapes included', () => {
    for (const text of [
      `{"headers":{"Authorization":"Bearer ${TOKEN}"}}`,
      `headers = {"Authorization": "Bearer ${TOKEN}"}`,
      `headers: { Authorization: \`Bearer ${TOKEN}\` }`,
      `{\\"Authorization\\": \\"Bearer ${TOKEN}\\"}`,
      `headers['authorization'] = 'Token ${TOKEN}'`,
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'auth_header', TOKEN]], text);
    }
    const basic = 'fetch(url,{headers:{"Authorization":"Basic dXNlcjpTM2NyM3RQNHNzdzByZA=="}})';
    assert.deepEqual(found(basic), [['SECRET', 'auth_header', 'dXNlcjpTM2NyM3RQNHNzdzByZA==']]);
    // Still not a secret: a template, and the word itself.
    assert.deepEqual(found('headers = {"Authorization": f"Bearer {token}"}'), []);
    assert.deepEqual(found('Set the "Authorization": header to your key.'), []);
  });

  it('finds connection-string credentials with a raw # in the password or an empty user', () => {
    assert.deepEqual(found('postgres://admin:Xk9#mQ2vL7pz@db.internal/app'), [
      ['SECRET', 'url_credentials', 'admin:Xk9#mQ2vL7pz'],
    ]);
    assert.deepEqual(found('redis://:Xk9mQ2vL7pzR4t@cache:6379/0'), [
      ['SECRET', 'url_credentials', ':Xk9mQ2vL7pzR4t'],
    ]);
    assert.deepEqual(found('export DATABASE_URL=postgresql://u:5#wIScGebc#y%8F5@h/d'), [
      ['SECRET', 'url_credentials', 'u:5#wIScGebc#y%8F5'],
    ]);
    // A fragment is not a password: nothing here but the address.
    assert.deepEqual(found('see http://example.com/a#b@c and user@example.com'), [
      ['EMAIL_ADDRESS', null, 'user@example.com'],
    ]);
  });

  it('reads numbers grouped with no-break or thin spaces, Unicode dashes and full-width digits', () => {
    assert.deepEqual(found('card 4111\u00a01111\u00a01111\u00a01111'), [
      ['CREDIT_CARD', null, '4111\u00a01111\u00a01111\u00a01111'],
    ]);
    assert.deepEqual(found('Tél. : 06\u202f12\u202f34\u202f56\u202f78'), [
      ['PHONE_NUMBER', null, '06\u202f12\u202f34\u202f56\u202f78'],
    ]);
    assert.deepEqual(found('IBAN DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000'), [
      ['IBAN_CODE', null, 'DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000'],
    ]);
    assert.deepEqual(found('電話：０９０－１２３４－５６７８'), [
      ['PHONE_NUMBER', null, '０９０－１２３４－５６７８'],
    ]);
    assert.deepEqual(found('カード ４１１１ １１１１ １１１１ １１１１'), [
      ['CREDIT_CARD', null, '４１１１ １１１１ １１１１ １１１１'],
    ]);
    assert.deepEqual(found('SSN 078\u201105\u20111120'), [['US_SSN', null, '078\u201105\u20111120']]);
  });

  it('folds to the same length, so offsets point into the original text', () => {
    const text = 'a\u00a0b\u202fc ０９ \u2013 （x）＋';
    const folded = foldLookalikes(text);
    assert.equal(folded, 'a b c 09 - (x)+');
    assert.equal(folded.length, text.length);
    assert.equal(foldLookalikes('plain ascii'), 'plain ascii');
  });
});

describe('shapes that are not what they look like', () => {
  it('a number with a unit after it, or a measure before it, is a quantity, not a phone', () => {
    for (const text of [
      'The call took 1234567 ms',
      'Retry the call after 30000000 ns',
      'function call count: 12345678',
      'The text has 1234567 characters',
      'message size 12345678 bytes',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
    // Still phones: the context word, and no unit.
    assert.deepEqual(found('call me on 5551234567 tonight'), [['PHONE_NUMBER', null, '5551234567']]);
    // A grouped number; one a phone word labels; units in capitals are words, not units (found by review).
    assert.deepEqual(found('Call me at 555-123-4567 US office hours'), [
      ['PHONE_NUMBER', null, '555-123-4567'],
    ]);
    assert.deepEqual(found('Phone: 555-123-4567 Days Inn'), [['PHONE_NUMBER', null, '555-123-4567']]);
    assert.deepEqual(found('Phone: 0612345678 ms teams'), [['PHONE_NUMBER', null, '0612345678']]);
    assert.deepEqual(found('call +1 415 555 2671 in 5 minutes'), [['PHONE_NUMBER', null, '+1 415 555 2671']]);
  });

  it('an SSH remote in scp syntax is not an e-mail address', () => {
    assert.deepEqual(found('git clone git@github.com:user/repo.git'), []);
    assert.deepEqual(found('scp build.tgz deploy@app.example.com:/srv/app/'), []);
    // A leaked credential list's "e-mail:password" is an address (found by review: taken for a remote).
    assert.deepEqual(found('john.doe@example.com:hunter2'), [
      ['EMAIL_ADDRESS', null, 'john.doe@example.com'],
    ]);
    assert.deepEqual(found('write to deploy@example.com: it is urgent'), [
      ['EMAIL_ADDRESS', null, 'deploy@example.com'],
    ]);
  });
});

describe('password labels in other languages', () => {
  it('reads the German, Dutch, Portuguese and French identifiers as password labels', () => {
    for (const text of [
      'Passwort: Xk9mQ2vL7pzR',
      'wachtwoord = "Xk9mQ2vL7pzR"',
      'senha: Xk9mQ2vL7pzR',
      'mot_de_passe=Xk9mQ2vL7pzR',
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'password', 'Xk9mQ2vL7pzR']], text);
    }
    assert.deepEqual(found('the bypass: Xk9mQ2vL7pzR'), []);
  });

  it('reads the words in sentences, spaced and with the language’s own verb', () => {
    for (const text of [
      'mot de passe : Xk9mQ2vL7pzR',
      'Mot de passe: Xk9mQ2vL7pzR',
      'mon mot de passe est Xk9mQ2vL7pzR',
      'Mein Passwort ist Xk9mQ2vL7pzR',
      'mijn wachtwoord is Xk9mQ2vL7pzR',
      'minha senha é Xk9mQ2vL7pzR',
      'mi contraseña es Xk9mQ2vL7pzR',
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'password', 'Xk9mQ2vL7pzR']], text);
    }
    assert.deepEqual(found('The password: see the vault'), []);
  });
});

describe('look-alikes that are not PII', () => {
  it('numbers listed in pairs are not a phone; a French number still is', () => {
    assert.deepEqual(found('Lottery numbers: 04 15 23 42 08 16'), []);
    assert.deepEqual(found('My picks this week are 12 15 23 42 48'), []);
    assert.deepEqual(found('Appelez-moi au 04 15 23 42 08 demain'), [
      ['PHONE_NUMBER', null, '04 15 23 42 08'],
    ]);
    assert.deepEqual(found('Tel +33 6 12 34 56 78'), [['PHONE_NUMBER', null, '+33 6 12 34 56 78']]);
  });

  it('a value named just `key` made of words and short numbers is a name, not key material', () => {
    assert.deepEqual(found('key = "user:12345:profile"'), []);
    assert.deepEqual(found('key: "tenants/acme/2024"'), []);
    assert.deepEqual(found('key = "a8f5f167f44f4964e6c998dee827110c"'), [
      ['SECRET', 'generic', 'a8f5f167f44f4964e6c998dee827110c'],
    ]);
    // Found by review: every other key name keeps such values, and long numbers are key material.
    for (const [text, value] of [
      ['DJANGO_SECRET_KEY=alpha-bravo-charlie-delta-echo-91', 'alpha-bravo-charlie-delta-echo-91'],
      ['API_KEY=prod-83749201837465928374', 'prod-83749201837465928374'],
      ['key=acme-4839201948573625-prod', 'acme-4839201948573625-prod'],
      ['signing_key: "tenants/acme/signing/2024"', 'tenants/acme/signing/2024'],
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'generic', value]], text);
    }
  });

  it('numbers listed in pairs: a French number cut from a longer run only with a phone word', () => {
    assert.deepEqual(found('Tel 06 12 34 56 78 42'), [['PHONE_NUMBER', null, '06 12 34 56 78']]);
    assert.deepEqual(found('Call me at 45 20 12 34 56 tomorrow.'), [
      ['PHONE_NUMBER', null, '45 20 12 34 56'],
    ]);
    assert.deepEqual(found('Payload 00 11 22 33 44'), []);
    // A phone word elsewhere in the sentence does not make a list a phone (found by the second review).
    assert.deepEqual(found('Text me the lottery results: 04 15 23 42 08 16'), []);
    assert.deepEqual(found('Our office hours: 08 09 10 11 12 13 14'), []);
    // Lists not led by 0, and phone words inside other words (found by the final review).
    assert.deepEqual(found('Text me the lottery results: 14 15 23 42 08 16'), []);
    assert.deepEqual(found('Hotel 06 12 34 56 78 42'), []);
    assert.deepEqual(found('Mobile: 47 41 23 45 67 89'), [['PHONE_NUMBER', null, '47 41 23 45 67 89']]);
  });

  it('in code, a hyphenated word is the password; "clave" and "mdp" label one only in a sentence', () => {
    for (const [text, value] of [
      ['DB_PASSWORD=Sommer-Regen', 'Sommer-Regen'],
      ['{"password": "Blue-Elephant"}', 'Blue-Elephant'],
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'password', value]], text);
    }
    assert.deepEqual(found('Palabra clave: Marketing2024'), []);
    assert.deepEqual(found('MDP: states_10_actions_4'), []);
  });

  it('a word with capitals in a password sentence is the password (found by the final review)', () => {
    for (const [text, value] of [
      ['The password is MyDogRex', 'MyDogRex'],
      ['My password is Sommer-Regen', 'Sommer-Regen'],
      ['Mi contraseña es Gato-Negro', 'Gato-Negro'],
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'password', value]], text);
    }
  });

  it('a sentence saying what a password is like is not a password', () => {
    for (const text of [
      'A senha é obrigatória.',
      'Votre mot de passe est expiré.',
      'Le mot de passe est ré-initialisé chaque mois.',
      'Das Passwort ist ungültig: Code-403',
      'Das Passwort ist 12-stellig und muss Sonderzeichen enthalten.',
      'The password is case-sensitive.',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
    for (const text of [
      'Mein Passwort lautet Xk9mQ2vL7pzR',
      'Das Passwort ist jetzt Xk9mQ2vL7pzR',
      'mi clave es Xk9mQ2vL7pzR',
      'A minha palavra-passe é Xk9mQ2vL7pzR',
      'La mia password è Xk9mQ2vL7pzR',
      'Mon mot de passe est « Xk9mQ2vL7pzR »',
    ]) {
      assert.deepEqual(found(text), [['SECRET', 'password', 'Xk9mQ2vL7pzR']], text);
    }
  });
});
