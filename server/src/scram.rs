//! SCRAM-SHA-256 (RFC 5802 / 7677) server side, against PostgreSQL-format stored verifiers.
//! Over SSL, SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding (RFC 5929) is
//! offered too.
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use plantdb_query::session::verify_scram_proof_material;
use sha2::{Digest, Sha256, Sha384, Sha512};

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(data));
    out
}

/// HMAC-SHA-256.
pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(data);
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(ih);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

/// Random bytes (nonces, cancel keys).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if getrandom::getrandom(&mut b).is_err() {
        // Fall back to hashing the clock: never reached on supported platforms.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let h = sha256(&t.to_le_bytes());
        for (i, x) in b.iter_mut().enumerate() {
            *x = h[i % 32];
        }
    }
    b
}

/// Why an exchange failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScramError {
    /// Malformed client message (08P01).
    Protocol(String),
    /// Wrong password, or the user cannot use SCRAM (28P01).
    Failed,
}

/// Mechanism names.
pub(crate) const SCRAM: &str = "SCRAM-SHA-256";
pub(crate) const SCRAM_PLUS: &str = "SCRAM-SHA-256-PLUS";

/// One DER element: (tag, content, rest).
fn der(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let l0 = *b.get(1)?;
    let (len, header) = if l0 < 0x80 {
        (usize::from(l0), 2)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if end > b.len() {
        return None;
    }
    Some((tag, &b[header..end], &b[end..]))
}

/// `tls-server-end-point` channel-binding data of a DER certificate: its hash with the hash
/// function of its signature algorithm (SHA-256 for MD5 and SHA-1). None for algorithms
/// without one (Ed25519, RSA-PSS): then PLUS is not offered.
pub(crate) fn tls_server_end_point(cert: &[u8]) -> Option<Vec<u8>> {
    let (0x30, body, _) = der(cert)? else {
        return None;
    };
    let (_, _tbs, rest) = der(body)?;
    let (0x30, alg, _) = der(rest)? else {
        return None;
    };
    let (0x06, oid, _) = der(alg)? else {
        return None;
    };
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA_SHA2: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
    const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    let bits = if let Some(r) = oid.strip_prefix(RSA) {
        match r {
            [0x04] | [0x05] | [0x0b] => 256,
            [0x0c] => 384,
            [0x0d] => 512,
            _ => return None,
        }
    } else if let Some(r) = oid.strip_prefix(ECDSA_SHA2) {
        match r {
            [0x02] => 256,
            [0x03] => 384,
            [0x04] => 512,
            _ => return None,
        }
    } else if oid == ECDSA_SHA1 {
        256
    } else {
        return None;
    };
    Some(match bits {
        256 => Sha256::digest(cert).to_vec(),
        384 => Sha384::digest(cert).to_vec(),
        _ => Sha512::digest(cert).to_vec(),
    })
}

/// One SCRAM exchange.
#[derive(Debug)]
pub(crate) struct Exchange {
    iterations: u32,
    salt: Vec<u8>,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
    /// False when the user has no usable verifier: the exchange runs to the end, then fails.
    real: bool,
    /// Channel-binding data when SCRAM-SHA-256-PLUS was offered (SSL connections).
    cbind: Option<Vec<u8>>,
    /// The client chose channel binding.
    bound: bool,
    gs2_header: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

fn proto(m: &str) -> ScramError {
    ScramError::Protocol(m.to_string())
}

impl Exchange {
    /// Starts an exchange against a stored verifier (None: the user cannot log in with SCRAM).
    /// `cbind`: channel-binding data, offered as SCRAM-SHA-256-PLUS.
    pub(crate) fn new(verifier: Option<&str>, cbind: Option<Vec<u8>>) -> Exchange {
        let mut ex = Exchange::start(verifier);
        ex.cbind = cbind;
        ex
    }

    /// The mechanisms to advertise.
    pub(crate) fn mechanisms(&self) -> Vec<&'static str> {
        if self.cbind.is_some() {
            vec![SCRAM_PLUS, SCRAM]
        } else {
            vec![SCRAM]
        }
    }

    fn start(verifier: Option<&str>) -> Exchange {
        match verifier.and_then(verify_scram_proof_material) {
            Some((iterations, salt, stored_key, server_key)) => Exchange {
                iterations,
                salt,
                stored_key,
                server_key,
                real: true,
                cbind: None,
                bound: false,
                gs2_header: String::new(),
                client_first_bare: String::new(),
                server_first: String::new(),
                nonce: String::new(),
            },
            None => Exchange {
                iterations: 4096,
                salt: random_bytes::<16>().to_vec(),
                stored_key: random_bytes::<32>().to_vec(),
                server_key: random_bytes::<32>().to_vec(),
                real: false,
                cbind: None,
                bound: false,
                gs2_header: String::new(),
                client_first_bare: String::new(),
                server_first: String::new(),
                nonce: String::new(),
            },
        }
    }

    /// Handles client-first-message sent with mechanism `mech`; returns server-first-message.
    pub(crate) fn client_first(&mut self, mech: &str, msg: &[u8]) -> Result<String, ScramError> {
        let plus = match mech {
            SCRAM => false,
            SCRAM_PLUS if self.cbind.is_some() => true,
            _ => return Err(proto("client selected an invalid SASL authentication mechanism")),
        };
        let msg = std::str::from_utf8(msg).map_err(|_| proto("invalid SCRAM message encoding"))?;
        // gs2-header: cbind-flag "," [authzid] ","
        let (flag, rest) = msg
            .split_once(',')
            .ok_or_else(|| proto("malformed SCRAM message"))?;
        match flag {
            "n" if !plus => {}
            "y" if !plus => {
                if self.cbind.is_some() {
                    // The client thinks we cannot bind: a downgrade.
                    return Err(proto("SCRAM channel binding negotiation error"));
                }
            }
            "p=tls-server-end-point" if plus => self.bound = true,
            f if f.starts_with("p=") && plus => {
                return Err(proto("unsupported SCRAM channel-binding type"));
            }
            _ => return Err(proto("SCRAM channel binding negotiation error")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or_else(|| proto("malformed SCRAM message"))?;
        if !authzid.is_empty() {
            return Err(proto(
                "client uses authorization identity, but it is not supported",
            ));
        }
        self.gs2_header = format!("{flag},{authzid},");
        self.client_first_bare = bare.to_string();
        let mut client_nonce = None;
        for attr in bare.split(',') {
            if let Some(r) = attr.strip_prefix("r=") {
                client_nonce = Some(r);
            } else if attr.starts_with("m=") {
                return Err(proto("unsupported SCRAM extension"));
            }
        }
        let client_nonce = client_nonce.ok_or_else(|| proto("malformed SCRAM message (nonce missing)"))?;
        if client_nonce.is_empty()
            || !client_nonce
                .bytes()
                .all(|c| (0x21..=0x7e).contains(&c) && c != b',')
        {
            return Err(proto("malformed SCRAM message (invalid nonce)"));
        }
        self.nonce = format!("{client_nonce}{}", B64.encode(random_bytes::<18>()));
        self.server_first = format!(
            "r={},s={},i={}",
            self.nonce,
            B64.encode(&self.salt),
            self.iterations
        );
        Ok(self.server_first.clone())
    }

    /// Handles client-final-message; returns server-final-message on success.
    pub(crate) fn client_final(&mut self, msg: &[u8]) -> Result<String, ScramError> {
        let msg = std::str::from_utf8(msg).map_err(|_| proto("invalid SCRAM message encoding"))?;
        let (without_proof, proof) = msg
            .rsplit_once(",p=")
            .ok_or_else(|| proto("malformed SCRAM message (proof missing)"))?;
        let mut binding = None;
        let mut nonce = None;
        for attr in without_proof.split(',') {
            if let Some(c) = attr.strip_prefix("c=") {
                binding = Some(c);
            } else if let Some(r) = attr.strip_prefix("r=") {
                nonce = Some(r);
            }
        }
        let binding = binding.ok_or_else(|| proto("malformed SCRAM message (channel binding missing)"))?;
        let decoded = B64
            .decode(binding)
            .map_err(|_| proto("malformed SCRAM message (invalid channel binding)"))?;
        let mut expected = self.gs2_header.as_bytes().to_vec();
        if self.bound {
            expected.extend_from_slice(self.cbind.as_deref().unwrap_or_default());
        }
        if decoded != expected {
            return Err(proto("SCRAM channel binding check failed"));
        }
        if nonce != Some(self.nonce.as_str()) {
            return Err(proto("SCRAM nonce mismatch"));
        }
        let proof = B64
            .decode(proof)
            .map_err(|_| proto("malformed SCRAM message (invalid proof)"))?;
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let client_signature = hmac(&self.stored_key, auth_message.as_bytes());
        if proof.len() != 32 {
            return Err(ScramError::Failed);
        }
        let mut client_key = [0u8; 32];
        for i in 0..32 {
            client_key[i] = proof[i] ^ client_signature[i];
        }
        let computed = sha256(&client_key);
        // Constant-time comparison.
        let diff = computed
            .iter()
            .zip(self.stored_key.iter().chain(std::iter::repeat(&0u8)))
            .fold(u8::from(self.stored_key.len() != 32), |acc, (a, b)| acc | (a ^ b));
        if diff != 0 || !self.real {
            return Err(ScramError::Failed);
        }
        let server_signature = hmac(&self.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
        let mut s = salt.to_vec();
        s.extend_from_slice(&1u32.to_be_bytes());
        let mut u = hmac(password, &s);
        let mut out = u;
        for _ in 1..iterations {
            u = hmac(password, &u);
            for (o, x) in out.iter_mut().zip(u.iter()) {
                *o ^= x;
            }
        }
        out
    }

    /// A client computing its proof the RFC way.
    fn client_final(server_first: &str, client_first_bare: &str, password: &str) -> (String, String) {
        client_final_bound(server_first, client_first_bare, password, "biws")
    }

    fn client_final_bound(
        server_first: &str,
        client_first_bare: &str,
        password: &str,
        binding: &str,
    ) -> (String, String) {
        let mut nonce = "";
        let mut salt = Vec::new();
        let mut iters = 0;
        for a in server_first.split(',') {
            if let Some(r) = a.strip_prefix("r=") {
                nonce = r;
            } else if let Some(s) = a.strip_prefix("s=") {
                salt = B64.decode(s).unwrap();
            } else if let Some(i) = a.strip_prefix("i=") {
                iters = i.parse().unwrap();
            }
        }
        let salted = pbkdf2(password.as_bytes(), &salt, iters);
        let client_key = hmac(&salted, b"Client Key");
        let stored = sha256(&client_key);
        let without = format!("c={binding},r={nonce}");
        let auth = format!("{client_first_bare},{server_first},{without}");
        let sig = hmac(&stored, auth.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(sig.iter()).map(|(a, b)| a ^ b).collect();
        let server_key = hmac(&salted, b"Server Key");
        let expect = format!("v={}", B64.encode(hmac(&server_key, auth.as_bytes())));
        (format!("{without},p={}", B64.encode(proof)), expect)
    }

    #[test]
    fn accepts_the_right_password_only() {
        let verifier = plantdb_query::session::scram_verifier("s3cret");
        for (pw, ok) in [("s3cret", true), ("wrong", false)] {
            let mut ex = Exchange::new(Some(&verifier), None);
            let sf = ex.client_first(SCRAM, b"n,,n=,r=abcdefgh").unwrap();
            let (cf, expect) = client_final(&sf, "n=,r=abcdefgh", pw);
            let r = ex.client_final(cf.as_bytes());
            if ok {
                assert_eq!(r.unwrap(), expect);
            } else {
                assert_eq!(r, Err(ScramError::Failed));
            }
        }
        // No verifier: always fails.
        let mut ex = Exchange::new(None, None);
        let sf = ex.client_first(SCRAM, b"n,,n=,r=abcdefgh").unwrap();
        let (cf, _) = client_final(&sf, "n=,r=abcdefgh", "");
        assert_eq!(ex.client_final(cf.as_bytes()), Err(ScramError::Failed));
    }

    #[test]
    fn channel_binding() {
        let verifier = plantdb_query::session::scram_verifier("pw");
        let cb = vec![7u8; 32];
        // PLUS with the right binding data.
        let mut ex = Exchange::new(Some(&verifier), Some(cb.clone()));
        assert_eq!(ex.mechanisms(), vec![SCRAM_PLUS, SCRAM]);
        let sf = ex
            .client_first(SCRAM_PLUS, b"p=tls-server-end-point,,n=,r=abc")
            .unwrap();
        let mut data = b"p=tls-server-end-point,,".to_vec();
        data.extend_from_slice(&cb);
        let (cf, _) = client_final_bound(&sf, "n=,r=abc", "pw", &B64.encode(&data));
        assert!(ex.client_final(cf.as_bytes()).is_ok());
        // Wrong binding data.
        let mut ex = Exchange::new(Some(&verifier), Some(cb.clone()));
        let sf = ex
            .client_first(SCRAM_PLUS, b"p=tls-server-end-point,,n=,r=abc")
            .unwrap();
        let (cf, _) = client_final_bound(&sf, "n=,r=abc", "pw", &B64.encode(b"p=tls-server-end-point,,xx"));
        assert!(matches!(
            ex.client_final(cf.as_bytes()),
            Err(ScramError::Protocol(_))
        ));
        // Downgrade: "y" while PLUS was offered.
        let mut ex = Exchange::new(Some(&verifier), Some(cb.clone()));
        assert!(ex.client_first(SCRAM, b"y,,n=,r=abc").is_err());
        // Plain SCRAM over SSL without binding is fine.
        let mut ex = Exchange::new(Some(&verifier), Some(cb));
        let sf = ex.client_first(SCRAM, b"n,,n=,r=abc").unwrap();
        let (cf, _) = client_final(&sf, "n=,r=abc", "pw");
        assert!(ex.client_final(cf.as_bytes()).is_ok());
    }

    #[test]
    fn end_point_hash_of_a_certificate() {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let der = c.cert.der().to_vec();
        // rcgen signs with ECDSA P-256 / SHA-256 by default.
        assert_eq!(tls_server_end_point(&der), Some(Sha256::digest(&der).to_vec()));
        assert_eq!(tls_server_end_point(b"\x30\x03junk"), None);
    }

    #[test]
    fn rejects_malformed_messages() {
        let mut ex = Exchange::new(None, None);
        assert!(matches!(
            ex.client_first(SCRAM, b"p=tls-server-end-point,,n=,r=x"),
            Err(ScramError::Protocol(_))
        ));
        assert!(matches!(
            ex.client_first(SCRAM, b"garbage"),
            Err(ScramError::Protocol(_))
        ));
        let mut ex = Exchange::new(None, None);
        ex.client_first(SCRAM, b"n,,n=,r=abc").unwrap();
        assert!(matches!(
            ex.client_final(b"c=biws,r=other,p=AAAA"),
            Err(ScramError::Protocol(_))
        ));
    }
}
