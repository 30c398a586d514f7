// vap-eval.mjs POLICY.json CASES.json — evaluate a ValidatingAdmissionPolicy's
// variables and validations (CEL, with the strings extension Kubernetes enables)
// against admission requests, with @bufbuild/cel.  It checks what the expressions
// decide, not Kubernetes' static type-check (no API server here).
// Prints one line per case and a count; exit 1 on any wrong decision.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.CEL_MODULE_DIR + "/");
const { run } = require("@bufbuild/cel");
const { strings } = require("@bufbuild/cel/ext");

const [policy, cases] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));

// JSON objects -> CEL maps, integers -> int (JSON has no distinction; good enough here)
const cel = (v) =>
	Array.isArray(v) ? v.map(cel)
	: v !== null && typeof v === "object" ? new Map(Object.entries(v).map(([k, x]) => [k, cel(x)]))
	: typeof v === "number" && Number.isInteger(v) ? BigInt(v)
	: v;
const js = (v) => (v && typeof v[Symbol.iterator] === "function" && typeof v !== "string" ? [...v].map(js) : v);

function evaluate(spec, req) {
	const env = {
		object: cel(req.object ?? null),
		oldObject: cel(req.oldObject ?? null),
		params: cel(req.params ?? null),
		request: cel(req.request ?? { userInfo: { username: "alice", extra: {} } }),
	};
	for (const c of spec.matchConditions ?? []) {
		if (run(c.expression, env, { funcs: strings }) !== true) return { matched: false };
	}
	const variables = new Map();
	env.variables = variables;
	for (const v of spec.variables ?? []) variables.set(v.name, run(v.expression, env, { funcs: strings }));
	for (const v of spec.validations) {
		const ok = run(v.expression, env, { funcs: strings });
		if (ok instanceof Error || (ok !== true && ok !== false)) throw new Error(`${v.expression}: ${ok}`);
		if (!ok) {
			const msg = v.messageExpression ? run(v.messageExpression, env, { funcs: strings }) : v.message;
			return { matched: true, allowed: false, message: String(msg) };
		}
	}
	return { matched: true, allowed: true };
}

let pass = 0, fail = 0;
for (const c of cases) {
	const p = policy.find((d) => d.metadata.name === c.policy);
	let got;
	try {
		got = evaluate(p.spec, c);
	} catch (e) {
		got = { error: String(e.message ?? e) };
	}
	const ok = got.error === undefined &&
		(c.expect === "nomatch" ? got.matched === false
		: c.expect === "allow" ? got.allowed === true
		: got.allowed === false && (!c.message || got.message.includes(c.message)));
	if (ok) pass++; else fail++;
	console.log(`${ok ? "ok  " : "FAIL"} ${c.policy}: ${c.name}${ok ? "" : "  -> " + JSON.stringify(got)}`);
}
console.log(`policy cases right: ${pass}, wrong: ${fail}`);
process.exit(fail ? 1 : 0);
