#!/usr/bin/env node
// Offline validators the xunit tests run (tests/EnaRemediate.Functions.Tests/Infra):
//   node validate.js cfn-json <template.yaml>             the template parsed by yaml-cfn, as JSON (short-form tags kept as Fn:: objects)
//   node validate.js sam <template.yaml> <sam.schema.json>  the template against the SAM JSON schema (draft-04)
//   node validate.js asl <definition.json>                  an ASL definition with asl-validator
//   node validate.js ssm-automation <document.yaml|json>    an Automation (0.3) document with the schema from aws-ssm-document-language-service
// Prints one JSON object {valid, errors} (or the template) on stdout; exits 0 when valid, 1 when not, 2 on a usage error.
'use strict';
const fs = require('fs');
const path = require('path');
const { yamlParse } = require('yaml-cfn');

function report(valid, errors) {
  process.stdout.write(JSON.stringify({ valid, errors }, null, 2) + '\n');
  process.exit(valid ? 0 : 1);
}

function parseDocument(file) {
  const text = fs.readFileSync(file, 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : yamlParse(text);
}

const [command, file, extra] = process.argv.slice(2);
if (!command || !file) {
  process.stderr.write('usage: validate.js cfn-json|sam|asl|ssm-automation <file> [schema]\n');
  process.exit(2);
}

switch (command) {
  case 'cfn-json': {
    process.stdout.write(JSON.stringify(parseDocument(file)) + '\n');
    break;
  }
  case 'sam': {
    const Ajv = require('ajv-draft-04');
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(extra, 'utf8')));
    const valid = validate(parseDocument(file));
    report(valid, valid ? [] : validate.errors.map(e => `${e.instancePath} ${e.message}`));
    break;
  }
  case 'asl': {
    const aslValidator = require('asl-validator');
    const { isValid, errors } = aslValidator(parseDocument(file));
    report(isValid, errors.map(e => e.message ? `${e.path || ''} ${e.message}` : JSON.stringify(e)));
    break;
  }
  case 'ssm-automation': {
    const Ajv = require('ajv');
    const schemaFile = path.join(__dirname, 'node_modules', 'aws-ssm-document-language-service', 'dist', 'schema.json');
    // The schema's patterns are not valid under the unicode flag; AWS's own tooling compiles them without it.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
    const valid = validate(parseDocument(file));
    report(valid, valid ? [] : validate.errors.map(e => `${e.instancePath} ${e.message}`));
    break;
  }
  default:
    process.stderr.write(`unknown command ${command}\n`);
    process.exit(2);
}
