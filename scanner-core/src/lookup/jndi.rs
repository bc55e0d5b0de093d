//! What a JNDI name reached by `JndiLookup` would do on a current JDK.
use super::eval::is_opaque;

/// The network side of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// A connection to a host the name chooses.
    Network,
    /// `JndiLookup` is called but nothing leaves the machine (or, in 2.15,
    /// the lookup is refused).
    Local,
}

/// URL schemes whose JDK context factories connect to the named host.
/// `InitialContext` finds the factory by a case-sensitive package name
/// (`com.sun.jndi.url.<scheme>`), so `LDAP://` has none and falls back to
/// the default context, which makes no connection. `iiop`/`corba` need the
/// CORBA modules removed in JDK 11; `nis`/`nds`/`http` have no factory.
const NETWORK_SCHEMES: &[&str] = &["ldap", "ldaps", "rmi", "dns"];

/// `JndiLookup.convertJndiName` prefixes a name without a colon with
/// `java:comp/env/`; `InitialContext.getURLScheme` then takes the text
/// before the first `:` as scheme only if no `/` comes before it.
fn scheme(name: &str) -> Option<(&str, &str)> {
    let colon = name.find(':')?;
    if colon == 0 || name[..colon].contains('/') {
        return None;
    }
    Some((&name[..colon], &name[colon + 1..]))
}

/// The host the JDK's URL parser would connect to: after `//`, up to the
/// first `/`, or the first `:` before it (the port). An IPv6 literal keeps
/// its brackets.
pub(crate) fn jdk_host(name: &str) -> Option<&str> {
    let (_, rest) = scheme(name)?;
    let auth = rest.strip_prefix("//")?;
    let auth = &auth[..auth.find('/').unwrap_or(auth.len())];
    if auth.starts_with('[') {
        return Some(&auth[..auth.find(']').map_or(auth.len(), |p| p + 1)]);
    }
    Some(&auth[..auth.find(':').unwrap_or(auth.len())])
}

/// A host the resolver can be asked about: it must start like a host name,
/// an address or an IPv6 literal, or with a value from the environment
/// (`${env:USER}.attacker.example` is an exfiltration, and the environment
/// supplies a real name there). A template left unexpanded
/// (`{{Hostname}}.attacker.example`) or an empty host is not one.
fn resolvable(host: &str) -> bool {
    match host.chars().next() {
        Some(c) => c.is_ascii_alphanumeric() || c == '[' || is_opaque(c),
        None => false,
    }
}

/// Log4j 2.0-beta9 to 2.14.1: every name goes straight to `InitialContext`.
pub(crate) fn reach_pre_215(name: &str) -> Reach {
    match scheme(name) {
        Some((s, _)) if NETWORK_SCHEMES.contains(&s) => match jdk_host(name) {
            Some(h) if resolvable(h) => Reach::Network,
            _ => Reach::Local,
        },
        _ => Reach::Local,
    }
}

/// Log4j 2.15.0: `JndiManager` parses the name with `java.net.URI` and
/// refuses it unless the URI parses, the scheme is `java`, `ldap` or `ldaps`,
/// and an LDAP host is local. `URI` stops the host at `#`, the JDK's LDAP
/// parser does not, so `ldap://127.0.0.1#attacker.example/` passes the check
/// and then asks the resolver for the whole string (CVE-2021-45046).
pub(crate) fn reach_215(name: &str) -> Reach {
    if name.chars().any(|c| c.is_ascii_control() || c == ' ' || "\"<>\\^`{|}".contains(c)) {
        return Reach::Local;
    }
    let Some(host) = jdk_host(name) else { return Reach::Local };
    let Some((s, _)) = scheme(name) else { return Reach::Local };
    if s != "ldap" && s != "ldaps" {
        return Reach::Local;
    }
    let uri_host = &host[..host.find(['#', '?']).unwrap_or(host.len())];
    let local = matches!(uri_host, "localhost" | "127.0.0.1" | "[::1]");
    if local && uri_host.len() < host.len() && resolvable(host) {
        Reach::Network
    } else {
        Reach::Local
    }
}
