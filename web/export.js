// Report exports: JSON in the CLI's shape, CSV for spreadsheets, SARIF 2.1.0
// for code-scanning dashboards. Pure functions of the merged report, so the
// tests can check them and the page only has to offer the download.
import { cveNote } from './cves.js';

/**
 * One report for many scanned files, as `log4j-scan --format json A B…`
 * writes it: the counts add up, findings and errors follow the input order.
 * `extraErrors` are whole-file failures seen by the page (the worker could
 * not read a file), in the report's own error shape.
 */
export function mergeReports(reports, extraErrors = [], tool = null) {
  const merged = {
    tool: tool ?? reports[0]?.tool ?? { name: 'log4j-scan', version: 'unknown' },
    scanned: { files: 0, archives: 0, entries: 0, bytes: 0 },
    findings: [],
    errors: [],
  };
  for (const r of reports) {
    for (const k of Object.keys(merged.scanned)) merged.scanned[k] += r.scanned?.[k] ?? 0;
    // push(...big) overflows the stack past ~100k arguments; loop instead.
    for (const f of r.findings) merged.findings.push(f);
    for (const e of r.errors) merged.errors.push(e);
  }
  for (const e of extraErrors) merged.errors.push(e);
  return merged;
}

export function toJson(report) {
  return JSON.stringify(report, null, 2) + '\n';
}

// RFC 4180: quote every field that has a comma, quote or line break.
// A leading = + - @ is also neutralised: spreadsheets run such cells as
// formulas, and archive entry names are attacker-controlled.
function csvField(v) {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export const CSV_COLUMNS = ['file', 'path', 'component', 'version', 'version_source', 'status', 'cves', 'max_cvss', 'relocated', 'evidence'];

export function toCsv(report) {
  const rows = [CSV_COLUMNS.join(',')];
  for (const f of report.findings) {
    rows.push([
      f.file, f.path, f.component, f.version, f.version_source, f.status,
      f.cves.map((c) => c.id).join(' '),
      f.cves.length ? Math.max(...f.cves.map((c) => c.cvss)).toFixed(1) : '',
      f.relocated ?? '', f.evidence.join(' | '),
    ].map(csvField).join(','));
  }
  for (const e of report.errors) {
    rows.push([e.path.split('!/')[0], e.path, '', '', '', 'error:' + e.kind, '', '', '', e.error].map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

// SARIF levels by CVSS band: critical/high are errors, the rest warnings.
function sarifLevel(severity) {
  return severity === 'critical' || severity === 'high' ? 'error' : 'warning';
}

/**
 * SARIF 2.1.0: one rule per CVE (with `security-severity`, which GitHub code
 * scanning uses to rank), one result per (finding, CVE), plus one `note`
 * result per finding that has no CVE left so fixed copies are on record,
 * and tool notifications for the per-entry errors.
 */
export function toSarif(report) {
  const rules = new Map();
  const results = [];
  const location = (f) => ({
    physicalLocation: { artifactLocation: { uri: encodeURI(f.file) } },
    logicalLocations: [{ fullyQualifiedName: f.path, kind: 'module' }],
  });
  for (const f of report.findings) {
    for (const c of f.cves) {
      if (!rules.has(c.id)) {
        const n = cveNote(c.id);
        rules.set(c.id, {
          id: c.id,
          name: n.name.replace(/[^A-Za-z0-9]+/g, ''),
          shortDescription: { text: `${c.id}: ${n.name}` },
          fullDescription: { text: n.what },
          help: { text: n.fix },
          defaultConfiguration: { level: sarifLevel(c.severity) },
          properties: { 'security-severity': c.cvss.toFixed(1), tags: ['security', 'log4j'] },
        });
      }
      results.push({
        ruleId: c.id,
        ruleIndex: [...rules.keys()].indexOf(c.id),
        level: f.status === 'mitigated' ? 'warning' : sarifLevel(c.severity),
        message: { text: `${f.component} ${f.version} (${f.status}) at ${f.path}: ${c.id}, CVSS ${c.cvss.toFixed(1)}` },
        locations: [location(f)],
        properties: { status: f.status, component: f.component, version: f.version, evidence: f.evidence },
      });
    }
    if (f.cves.length === 0) {
      if (!rules.has('log4j-component')) {
        rules.set('log4j-component', {
          id: 'log4j-component',
          shortDescription: { text: 'A Log4j-family component with no applicable CVE' },
          defaultConfiguration: { level: 'note' },
        });
      }
      results.push({
        ruleId: 'log4j-component',
        ruleIndex: [...rules.keys()].indexOf('log4j-component'),
        level: 'note',
        message: { text: `${f.component} ${f.version} (${f.status}) at ${f.path}` },
        locations: [location(f)],
        properties: { status: f.status, component: f.component, version: f.version, evidence: f.evidence },
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: report.tool.name, version: report.tool.version, rules: [...rules.values()] } },
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: report.errors.map((e) => ({
          level: 'warning',
          message: { text: e.error },
          descriptor: { id: e.kind },
          locations: [{ logicalLocations: [{ fullyQualifiedName: e.path }] }],
        })),
      }],
      results,
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
