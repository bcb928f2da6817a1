//! TLS to PostgreSQL through rustls (nothing to install where Spark runs): libpq's `sslmode`s
//! and a CA file.
//!
//! | `sslMode` | encrypted | the server's certificate |
//! |---|---|---|
//! | `disable` | never | - |
//! | `prefer` (default) | when the server offers it | not checked |
//! | `require` | always | not checked (checked as `verify-ca` when `sslRootCert` is given, as libpq does) |
//! | `verify-ca` | always | signed by a trusted CA |
//! | `verify-full` | always | signed by a trusted CA, for the host connected to |
//!
//! Trusted CAs: those of `sslRootCert` (a PEM file every node can read; a managed database's
//! CA bundle), else Mozilla's root store, compiled in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datasource_py::prelude::*;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Whether and how the connection to PostgreSQL is encrypted (libpq's `sslmode`).
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    /// Never encrypted.
    Disable,
    /// Encrypted when the server offers it; its certificate is not checked.
    Prefer,
    /// Always encrypted; the certificate is checked only against `sslRootCert`, when given.
    Require,
    /// Always encrypted, the certificate signed by a trusted CA.
    #[option(name = "verify-ca")]
    VerifyCa,
    /// Always encrypted, the certificate signed by a trusted CA and naming the host.
    #[option(name = "verify-full")]
    VerifyFull,
}

/// How a pool's connections are encrypted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tls {
    pub mode: SslMode,
    pub root_cert: Option<PathBuf>,
}

impl Tls {
    /// What tokio-postgres asks of the server.
    pub fn pg_mode(&self) -> PgSslMode {
        match self.mode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            _ => PgSslMode::Require,
        }
    }

    /// The connector of a pool: rustls, checking the server as the mode says.
    pub fn connector(&self) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("could not set up TLS")?;
        let check = match (self.mode, &self.root_cert) {
            (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => Check::None,
            (SslMode::Require | SslMode::VerifyCa, _) => Check::Ca,
            (SslMode::VerifyFull, _) => Check::Full,
        };
        let config = match check {
            Check::None => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
            Check::Ca => {
                let roots = Arc::new(self.roots()?);
                let verifier = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .context("could not set up TLS")?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyName(verifier)))
                    .with_no_client_auth()
            }
            Check::Full => builder
                .with_root_certificates(self.roots()?)
                .with_no_client_auth(),
        };
        Ok(MakeRustlsConnect::new(config))
    }

    /// The CAs trusted: `sslRootCert`'s, else Mozilla's.
    fn roots(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        match &self.root_cert {
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Some(path) => {
                let certificates = read_certificates(path)?;
                let (added, _) = roots.add_parsable_certificates(certificates);
                ensure!(
                    added > 0,
                    "`sslRootCert` `{}` holds no certificate this source can use",
                    path.display()
                );
            }
        }
        Ok(roots)
    }
}

enum Check {
    None,
    Ca,
    Full,
}

/// The PEM certificates of `path`.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let text = std::fs::read(path).map_err(|error| {
        format_err!(
            "cannot read `sslRootCert` `{}` ({}; every Spark node must have it)",
            path.display(),
            error.kind()
        )
    })?;
    let certificates = CertificateDer::pem_slice_iter(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            format_err!(
                "`sslRootCert` `{}` is not a PEM file of certificates",
                path.display()
            )
        })?;
    ensure!(
        !certificates.is_empty(),
        "`sslRootCert` `{}` holds no `BEGIN CERTIFICATE` block",
        path.display()
    );
    Ok(certificates)
}

/// rustls's reason a connection failed in its TLS handshake (a certificate refused), if it
/// did: connecting again cannot help.
pub fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(tls) = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls.to_string());
        }
        cause = error.source();
    }
    None
}

/// `require` without a CA: encrypted, the certificate taken as it is (its handshake signature
/// still checked), as libpq does.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain checked against the trusted CAs, whatever host it names.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
