// Plain-language notes on the CVEs the scanner reports, for people deciding
// what to do about a finding. Scores and severities come from the report
// itself (the engine's table); this file only says what each CVE means and
// which releases fix it, in the words of the Apache Log4j security page.

export const CVE_NOTES = {
  'CVE-2021-44228': {
    name: 'Log4Shell',
    what: 'Logging an attacker-controlled string such as ${jndi:ldap://…} makes Log4j fetch and run code from the attacker\'s server.',
    fix: 'Fixed in 2.15.0 (Java 8), 2.12.2 (Java 7) and 2.3.1 (Java 6). Upgrade to 2.17.1, 2.12.4 or 2.3.2 to clear every Log4j 2 CVE.',
  },
  'CVE-2021-45046': {
    name: 'Log4Shell, incomplete fix',
    what: 'The 2.15.0 fix could still be bypassed when the logging pattern uses context lookups (e.g. ${ctx:…}), leading to remote code execution in some setups.',
    fix: 'Fixed in 2.16.0 (Java 8), 2.12.2 (Java 7) and 2.3.1 (Java 6).',
  },
  'CVE-2021-45105': {
    name: 'Recursive lookup denial of service',
    what: 'A self-referencing lookup in logged data can make Log4j recurse until the thread crashes: a denial of service.',
    fix: 'Fixed in 2.17.0 (Java 8), 2.12.3 (Java 7) and 2.3.1 (Java 6).',
  },
  'CVE-2021-44832': {
    name: 'JDBC appender via JNDI',
    what: 'Someone who can change the logging configuration can point the JDBC appender at a JNDI data source and run code.',
    fix: 'Fixed in 2.17.1 (Java 8), 2.12.4 (Java 7) and 2.3.2 (Java 6).',
  },
  'CVE-2019-17571': {
    name: 'Log4j 1.x SocketServer deserialisation',
    what: 'Log4j 1.x\'s SocketServer deserialises whatever it receives over the network, which lets a remote sender run code.',
    fix: 'No 1.x release fixes it (1.x is end of life). Move to Log4j 2.17.1+ or to reload4j 1.2.18.0+.',
  },
  'CVE-2021-4104': {
    name: 'Log4j 1.x JMSAppender',
    what: 'When the configuration uses JMSAppender, someone who can change that configuration can make it do a JNDI lookup and run code.',
    fix: 'No 1.x release fixes it. Move to Log4j 2.17.1+ or reload4j 1.2.18.0+, or delete JMSAppender.class.',
  },
  'CVE-2022-23302': {
    name: 'Log4j 1.x JMSSink',
    what: 'JMSSink deserialises messages from a JNDI-configured source; with control of its configuration this runs code.',
    fix: 'No 1.x release fixes it. Move to Log4j 2.17.1+ or reload4j 1.2.18.1+.',
  },
  'CVE-2022-23305': {
    name: 'Log4j 1.x JDBCAppender SQL injection',
    what: 'JDBCAppender builds SQL from logged messages, so a crafted message can run SQL statements.',
    fix: 'No 1.x release fixes it. Move to Log4j 2.17.1+ or reload4j 1.2.18.2+.',
  },
  'CVE-2022-23307': {
    name: 'Log4j 1.x Chainsaw deserialisation',
    what: 'The bundled Chainsaw log viewer deserialises untrusted data and can be made to run code.',
    fix: 'No 1.x release fixes it. Move to Log4j 2.17.1+ or reload4j 1.2.18.1+.',
  },
};

/** The note for an id, or a neutral one for a CVE this page has no words for. */
export function cveNote(id) {
  return CVE_NOTES[id] ?? { name: id, what: 'See the Apache Log4j security page for this CVE.', fix: 'Upgrade to the latest Log4j release.' };
}

/** What a status means, in one line, for the summary and the badges' titles. */
export const STATUS_NOTES = {
  vulnerable: 'At least one CVE applies: upgrade or remove this copy.',
  mitigated: 'A vulnerable version with the dangerous class removed; the remaining CVEs need a non-default setup. Upgrade when you can.',
  fixed: 'No known CVE applies to this version.',
  unknown: 'The evidence does not allow a verdict; check this copy by hand.',
};
