//! The SSRF guard of the outbound post: a post URL is an address an admin chooses, so the request it makes must not
//! reach the platform's own network. The address is checked where the connection is made (the HTTP client's resolver),
//! so a name that resolved to a public address at save time and to a private one now (DNS rebinding) is refused too;
//! redirects are never followed, since a redirect is another address nobody checked.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What posts may reach: the Lambdas post only to public addresses over https; the local runtime turns on loopback
/// (and plain http to it) so the two demo companies can sell to each other on one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostPolicy {
    pub allow_loopback: bool,
    /// Plain http (the local demo has no certificates); the Lambdas post over https only.
    pub allow_http: bool,
}

impl PostPolicy {
    /// The local runtime's: loopback over plain http, for the demo companies on one machine.
    pub const LOCAL: PostPolicy = PostPolicy { allow_loopback: true, allow_http: true };
}

/// Why an address may not be posted to (`None`: it is public).
pub fn refused_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "an unspecified (this-network) address",
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => "a private address",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address (cloud metadata lives there)",
        (100, 64..=127, _) => "a carrier-grade NAT address",
        (192, 0, 0) => "an IETF protocol assignment",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) => "a reserved or broadcast address",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refused_v4(v4);
    }
    let s = ip.segments();
    Some(match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => "an unspecified address",
        [0, 0, 0, 0, 0, 0, 0, 1] => "a loopback address",
        // IPv4-compatible (deprecated) and NAT64 addresses carry an IPv4 address that could be private.
        [0, 0, 0, 0, 0, 0, _, _] => "an IPv4-compatible address",
        [0x64, 0xff9b, _, _, _, _, _, _] => "a NAT64 address",
        [0x2001, 0xdb8, _, _, _, _, _, _] => "a documentation address",
        // AWS's IPv6 instance metadata endpoint is fd00:ec2::254, inside the unique-local range.
        [x, ..] if x & 0xfe00 == 0xfc00 => "a unique-local (private) address",
        [x, ..] if x & 0xffc0 == 0xfe80 => "a link-local address",
        [x, ..] if x & 0xffc0 == 0xfec0 => "a site-local address",
        [x, ..] if x & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}

/// Whether the policy lets a post reach `ip`.
pub fn allowed(policy: PostPolicy, ip: IpAddr) -> Result<(), String> {
    let loopback = match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    };
    if loopback && policy.allow_loopback {
        return Ok(());
    }
    match refused_range(ip) {
        None => Ok(()),
        Some(why) => Err(format!("the post URL resolves to {why}, which posts may not reach")),
    }
}

/// Resolves names for the post client and drops every address the policy refuses; a name left with none fails the
/// connection. Runs at connect time, for every connection.
struct GuardedResolver {
    policy: PostPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        let fut = async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let ok: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match allowed(policy, a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refusal = Some(e);
                        false
                    }
                })
                .collect();
            if ok.is_empty() {
                let why = refusal.unwrap_or_else(|| "the post URL's host has no address".into());
                return Err(Box::<dyn std::error::Error + Send + Sync>::from(why));
            }
            let addrs: reqwest::dns::Addrs = Box::new(ok.into_iter());
            Ok(addrs)
        };
        let boxed: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(fut);
        boxed
    }
}

/// How long a post may take, connection included.
pub const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// The client posts go through: the guarded resolver, no redirects, the timeout, https only unless loopback is allowed.
pub fn client(policy: PostPolicy) -> Result<reqwest::Client, String> {
    // rustls needs a process-wide crypto provider when more than one could be chosen (another crate in the build may
    // enable ring); installing aws-lc-rs explicitly makes that choice once. A second install (another client, or the
    // provider another part of the process installed) is refused harmlessly: the first one stays.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(POST_TIMEOUT)
        .https_only(!policy.allow_http)
        .build()
        .map_err(|e| format!("the post client could not be built: {e}"))
}

/// Checks a post URL before the request: its scheme, and an IP-literal host (the resolver never sees those).
pub fn check_url(policy: PostPolicy, url: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(url).map_err(|_| "the post URL is not a URL".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err("the post URL must be https".into()),
    }
    match url.host() {
        None => return Err("the post URL has no host".into()),
        Some(url::Host::Ipv4(ip)) => allowed(policy, IpAddr::V4(ip))?,
        Some(url::Host::Ipv6(ip)) => allowed(policy, IpAddr::V6(ip))?,
        Some(url::Host::Domain(_)) => {}
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An https post is made over TLS: the buyer receives a TLS ClientHello (a handshake record, first byte 0x16), and
    /// the failure is the handshake's (this buyer answers nothing), not a client without TLS refusing the scheme.
    #[tokio::test]
    async fn an_https_post_starts_a_tls_handshake() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let buyer = tokio::spawn(async move {
            let (sock, _) = listener.accept().await.unwrap();
            let mut first = [0u8; 1];
            loop {
                sock.readable().await.unwrap();
                match sock.try_read(&mut first) {
                    Ok(n) => return (n, first[0]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("reading the hello: {e}"),
                }
            }
        });
        let policy = PostPolicy { allow_loopback: true, allow_http: false };
        let url = check_url(policy, &format!("https://127.0.0.1:{port}/api/v1/public/leads")).unwrap();
        let post = client(policy).unwrap().post(url).body("{}").timeout(Duration::from_secs(2)).send();
        // Bounded: a client without TLS never connects, and the test must fail rather than wait.
        let hello = async { tokio::time::timeout(Duration::from_secs(5), buyer).await.ok().and_then(Result::ok) };
        let (sent, hello) = tokio::join!(post, hello);
        let (read, byte) = hello.expect("the post reached the buyer");
        assert_eq!((read, byte), (1, 0x16), "the buyer received a TLS handshake");
        let err = sent.unwrap_err();
        assert!(!err.is_builder(), "the client sends https: {err}");
        assert!(client(policy).is_ok(), "a second client installs nothing twice");
    }

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }

    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse().unwrap())
    }

    #[test]
    fn every_non_public_v4_range_is_refused() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "127.9.9.9",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(refused_range(v4(ip)).is_some(), "{ip} should be refused");
        }
    }

    #[test]
    fn public_v4_addresses_pass_including_the_edges_of_refused_ranges() {
        for ip in ["8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "192.169.0.1"]
        {
            assert_eq!(refused_range(v4(ip)), None, "{ip} is public");
        }
    }

    #[test]
    fn every_non_public_v6_range_is_refused_and_v4_mapped_ones_by_their_v4() {
        for ip in [
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(refused_range(v6(ip)).is_some(), "{ip} should be refused");
        }
        for ip in ["2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8"] {
            assert_eq!(refused_range(v6(ip)), None, "{ip} is public");
        }
    }

    #[test]
    fn loopback_passes_only_when_the_policy_allows_it() {
        let local = PostPolicy::LOCAL;
        let aws = PostPolicy::default();
        for ip in [v4("127.0.0.1"), v6("::1"), v6("::ffff:127.0.0.1")] {
            assert!(allowed(local, ip).is_ok());
            assert!(allowed(aws, ip).is_err());
        }
        // Allowing loopback allows nothing else.
        assert!(allowed(local, v4("10.0.0.1")).is_err());
        assert!(allowed(local, v4("169.254.169.254")).is_err());
    }

    #[test]
    fn urls_are_https_only_unless_loopback_is_allowed_and_literals_are_checked() {
        let aws = PostPolicy::default();
        let local = PostPolicy::LOCAL;
        assert!(check_url(aws, "https://buyer.example.com/api/v1/public/leads").is_ok());
        assert!(check_url(aws, "http://buyer.example.com/x").is_err());
        assert!(check_url(aws, "https://127.0.0.1/x").is_err());
        assert!(check_url(aws, "https://[::1]/x").is_err());
        assert!(check_url(aws, "https://169.254.169.254/latest/meta-data").is_err());
        assert!(check_url(local, "http://127.0.0.1:8080/api/v1/public/leads").is_ok());
        assert!(check_url(local, "http://localhost:8080/x").is_ok());
        // Plain http with loopback refused: the address is checked, not the scheme alone.
        let http_only = PostPolicy { allow_loopback: false, allow_http: true };
        assert!(check_url(http_only, "http://127.0.0.1:8080/x").is_err());
        assert!(check_url(http_only, "http://[::ffff:127.0.0.1]:8080/x").is_err());
        assert!(check_url(local, "http://10.0.0.1/x").is_err());
        assert!(check_url(aws, "ftp://buyer.example.com/x").is_err());
    }
}
