//! The client address: peer, trusted hops, trusted proxies, ports, and garbled chains.

use super::*;

fn forwarded(values: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append("x-forwarded-for", value.parse().unwrap());
    }
    headers
}

const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn hops(trusted_proxy_hops: usize) -> ClientIpPolicy {
    ClientIpPolicy { trusted_proxy_hops, ..ClientIpPolicy::default() }
}

fn proxies(list: &[&str]) -> ClientIpPolicy {
    let trusted_proxies = list.iter().map(|network| network.parse().unwrap()).collect();
    ClientIpPolicy { trusted_proxies, trusted_proxy_hops: 0 }
}

#[test]
fn without_trusted_proxies_the_peer_is_the_client() {
    let headers = forwarded(&["203.0.113.7"]);
    assert_eq!(client_ip(&headers, PEER, &hops(0)), PEER);
}

#[test]
fn trusted_hops_count_from_the_right() {
    let headers = forwarded(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
    assert_eq!(client_ip(&headers, PEER, &hops(1)), ip("10.0.0.2"));
    assert_eq!(
        client_ip(&headers, PEER, &hops(2)),
        ip("203.0.113.7"),
        "the spoofed entry is ignored"
    );
}

#[test]
fn short_or_garbled_chains_fall_back_to_the_peer() {
    assert_eq!(client_ip(&forwarded(&["203.0.113.7"]), PEER, &hops(3)), PEER);
    assert_eq!(client_ip(&forwarded(&["not-an-ip"]), PEER, &hops(1)), PEER);
    assert_eq!(client_ip(&HeaderMap::new(), PEER, &hops(1)), PEER);
}

#[test]
fn trusted_proxies_are_skipped_from_the_right() {
    let policy = proxies(&["10.0.0.0/8", "192.0.2.7/32"]);
    let headers = forwarded(&["6.6.6.6, 203.0.113.7, 192.0.2.7", "10.1.1.1"]);
    assert_eq!(client_ip(&headers, PEER, &policy), ip("203.0.113.7"));
    assert_eq!(
        client_ip(&headers, ip("198.51.100.1"), &policy),
        ip("198.51.100.1"),
        "untrusted peer"
    );
    let only_proxies = forwarded(&["10.0.0.1, 10.0.0.2"]);
    assert_eq!(client_ip(&only_proxies, PEER, &policy), ip("10.0.0.1"), "the left-most proxy");
    let garbled = forwarded(&["203.0.113.7, garbage, 10.0.0.3"]);
    assert_eq!(client_ip(&garbled, PEER, &policy), ip("10.0.0.3"), "stops at the last known");
    assert_eq!(client_ip(&HeaderMap::new(), PEER, &policy), PEER);
}

#[test]
fn entries_with_ports_and_brackets_parse() {
    for (entry, expected) in [
        ("203.0.113.7:5678", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ] {
        assert_eq!(parse_entry(entry), Some(ip(expected)), "{entry}");
    }
    for garbage in ["", "[2001:db8::1", "203.0.113.7:", "unknown", "_hidden"] {
        assert_eq!(parse_entry(garbage), None, "{garbage}");
    }
    let mapped_peer = ip("::ffff:10.0.0.9");
    assert_eq!(client_ip(&HeaderMap::new(), mapped_peer, &hops(0)), PEER);
}
