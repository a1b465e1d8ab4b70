#!/usr/bin/env node
// Evaluates IAM requests with @cloud-copilot/iam-simulate (AWS's evaluation logic, conditions included):
//   node iam-simulate.js <cases.json>
// cases.json: {"cases":[{"name","principal","identityPolicies":[policy...],"resourcePolicy"?,"action","resource","accountId","context"}]}
// Prints {"results":[{"name","result","errors"}]}: result is Allowed, ExplicitlyDenied, ImplicitlyDenied or Error
// (an invalid request or policy: unknown action, a context key the action does not have, a malformed ARN).
'use strict';
const fs = require('fs');
const { runSimulation } = require('@cloud-copilot/iam-simulate');

async function evaluate(c) {
  const simulation = {
    identityPolicies: c.identityPolicies.map((policy, i) => ({ name: `policy${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: c.action,
      principal: c.principal,
      resource: { accountId: c.accountId, resource: c.resource },
      contextVariables: c.context || {},
    },
  };
  if (c.resourcePolicy) simulation.resourcePolicy = c.resourcePolicy;
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return { name: c.name, result: 'Error', errors: [JSON.stringify(response.errors)] };
  return { name: c.name, result: response.overallResult, errors: [] };
}

(async () => {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: iam-simulate.js <cases.json>\n');
    process.exit(2);
  }
  const { cases } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const results = [];
  for (const c of cases) {
    try {
      results.push(await evaluate(c));
    } catch (e) {
      results.push({ name: c.name, result: 'Error', errors: [String(e && e.stack || e)] });
    }
  }
  process.stdout.write(JSON.stringify({ results }) + '\n');
})();
