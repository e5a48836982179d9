//! What the URL alone says: scheme, port, host, path, query string.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use super::report::Finding;
use super::rules::{Rule, Severity};

/// Whether the host is this machine or a private network: Cohere cannot reach it, but it is
/// where connectors are developed, so rules about the public internet only warn.
pub(crate) fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_local_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_local_ip(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost"
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
        None => false,
    }
}

fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_local_v4(ip),
        IpAddr::V6(ip) => {
            if let Some(mapped) = ip.to_ipv4_mapped() {
                return is_local_v4(mapped);
            }
            is_local_v6(ip)
        }
    }
}

fn is_local_v4(ip: Ipv4Addr) -> bool {
    // 100.64.0.0/10: carrier-grade NAT, not reachable from outside either.
    let shared = ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64;
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified() || shared
}

fn is_local_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    // fc00::/7 unique local, fe80::/10 link-local.
    ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

/// The findings about `url` itself. `url` parsed, as an http(s) URL.
pub(crate) fn findings(url: &Url) -> Vec<Finding> {
    let mut findings = Vec::new();
    let local = is_local(url);
    let severity_unless_local = if local {
        Severity::Warning
    } else {
        Severity::Error
    };
    if local {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::PublicAddress,
            "the host is this machine or a private network: Cohere cannot reach it (fine while developing)",
            "deploy the connector where the internet can reach it, then register that URL",
        ));
    }
    if url.scheme() == "http" {
        let message = if local {
            "plain http: fine on this machine, but a deployed connector should use https"
        } else {
            "plain http: Cohere would send the connector's token in clear"
        };
        findings.push(Finding::new(
            Severity::Warning,
            Rule::Https,
            message,
            "serve the connector over https (port 443)",
        ));
    }
    if let Some(port) = url.port().filter(|port| !matches!(port, 80 | 443)) {
        findings.push(Finding::new(
            severity_unless_local,
            Rule::Port,
            format!("port {port}: Cohere only calls connectors on port 443 or 80"),
            "serve the connector on port 443 (https) or 80, e.g. behind a reverse proxy",
        ));
    }
    if !url.path().trim_end_matches('/').ends_with("/search") {
        findings.push(Finding::new(
            Severity::Warning,
            Rule::SearchPath,
            "the URL does not end with /search, which Cohere's documentation asks for",
            "serve the search endpoint at a path ending in /search",
        ));
    }
    findings
}

/// Why a URL cannot be a connector's (for what [`ConnectorSearch`](crate::ConnectorSearch)
/// refuses): the finding, with the rule it breaks.
pub(crate) fn refusal(text: &str, message: &str) -> Finding {
    let has_query = Url::parse(text.trim()).is_ok_and(|url| url.query().is_some());
    if has_query {
        Finding::new(
            Severity::Error,
            Rule::NoQueryString,
            "the URL has a query string; Cohere's calls carry none",
            "route on the path instead (one connector URL per index, e.g. /index-a/search)",
        )
    } else {
        Finding::new(
            Severity::Error,
            Rule::ValidUrl,
            message,
            "register an absolute https URL such as https://search.example.com/search",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(Rule, Severity)> {
        findings(&Url::parse(text).unwrap())
            .into_iter()
            .map(|finding| (finding.rule, finding.severity))
            .collect()
    }

    #[test]
    fn a_public_https_search_url_has_nothing_to_say() {
        assert!(rules("https://search.example.com/search").is_empty());
        assert!(rules("https://search.example.com:443/v2/search/").is_empty());
        assert_eq!(
            rules("http://search.example.com/search"),
            [(Rule::Https, Severity::Warning)]
        );
    }

    #[test]
    fn other_ports_are_errors_unless_local() {
        assert_eq!(
            rules("https://search.example.com:8443/search"),
            [(Rule::Port, Severity::Error)]
        );
        assert_eq!(
            rules("http://127.0.0.1:8081/search"),
            [
                (Rule::PublicAddress, Severity::Warning),
                (Rule::Https, Severity::Warning),
                (Rule::Port, Severity::Warning)
            ]
        );
    }

    #[test]
    fn local_hosts_are_recognised() {
        for local in [
            "http://localhost/search",
            "http://LOCALHOST./search",
            "http://api.localhost/search",
            "http://10.1.2.3/search",
            "http://172.16.0.1/search",
            "http://192.168.1.1/search",
            "http://169.254.1.1/search",
            "http://100.64.0.1/search",
            "http://0.0.0.0/search",
            "http://[::1]/search",
            "http://[fd00::1]/search",
            "http://[fe80::1]/search",
            "http://[::ffff:127.0.0.1]/search",
            "http://search.internal/search",
        ] {
            assert!(is_local(&Url::parse(local).unwrap()), "{local}");
        }
        for public in [
            "https://8.8.8.8/search",
            "https://[2001:db8::1]/search",
            "https://search.example.com/search",
            "https://localhost.example.com/search",
        ] {
            assert!(!is_local(&Url::parse(public).unwrap()), "{public}");
        }
    }

    #[test]
    fn the_path_should_end_with_search() {
        assert_eq!(
            rules("https://search.example.com/query"),
            [(Rule::SearchPath, Severity::Warning)]
        );
    }
}
