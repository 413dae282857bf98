//! The object store port: files too big for a request body (CSV imports, up to 100 MB) are uploaded by the client
//! straight to storage and read back in byte ranges by the jobs that process them. In AWS an S3 bucket with
//! presigned URLs; in the embedded default a directory the local runtime serves an upload route for.

use crate::StoreError;
use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The largest object a client may upload (an import CSV).
pub const MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Where the client PUTs the object named `key`. `token` is the single-use secret the embedded upload route
    /// checks (the app stores only its hash); S3 carries its own signature and expiry instead.
    async fn upload_url(&self, key: &str, token: &str, expires_secs: u64) -> Result<String, StoreError>;

    /// The object's size in bytes, `None` when nothing was uploaded yet.
    async fn size(&self, key: &str) -> Result<Option<u64>, StoreError>;

    /// Up to `len` bytes from `start` (fewer at the end of the object).
    async fn read_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>, StoreError>;

    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// A key as a file name: keys are built by the app from company and import ID, but a path must never leave the
/// directory whatever they hold.
fn file_name(key: &str) -> Result<String, StoreError> {
    if key.is_empty() || key.len() > 200 {
        return Err(StoreError::Invalid("an object key must be 1 to 200 characters".into()));
    }
    Ok(key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect())
}

/// Objects as files in one directory. The upload URL names the local runtime's upload route; its base is set once
/// the runtime knows the address it listens on.
#[derive(Clone)]
pub struct LocalObjects {
    dir: PathBuf,
    base_url: Arc<OnceLock<String>>,
}

impl LocalObjects {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, base_url: Arc::new(OnceLock::new()) }
    }

    /// The runtime's own URL (`http://127.0.0.1:8080`); later calls keep the first.
    pub fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// The file an object lives in.
    pub fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        Ok(self.dir.join(file_name(key)?))
    }

    /// The directory, created when missing.
    pub fn dir(&self) -> Result<&PathBuf, StoreError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| StoreError::Backend(format!("object directory: {e}")))?;
        Ok(&self.dir)
    }
}

/// The path of the embedded runtime's upload route; the token follows it.
pub const LOCAL_UPLOAD_PATH: &str = "/uploads/";

#[async_trait]
impl ObjectStore for LocalObjects {
    async fn upload_url(&self, key: &str, token: &str, _expires_secs: u64) -> Result<String, StoreError> {
        file_name(key)?;
        let base = self.base_url.get().map(String::as_str).unwrap_or("");
        Ok(format!("{base}{LOCAL_UPLOAD_PATH}{token}"))
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        match tokio::fs::metadata(self.path(key)?).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Backend(format!("object metadata: {e}"))),
        }
    }

    async fn read_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut f = tokio::fs::File::open(self.path(key)?)
            .await
            .map_err(|e| StoreError::Backend(format!("object open: {e}")))?;
        f.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| StoreError::Backend(format!("object seek: {e}")))?;
        let mut out = Vec::new();
        f.take(len).read_to_end(&mut out).await.map_err(|e| StoreError::Backend(format!("object read: {e}")))?;
        Ok(out)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Backend(format!("object delete: {e}"))),
        }
    }
}

/// The object store of a deployment without one configured: every call fails, so imports answer 500 rather than
/// pretend.
pub struct NoObjects;

#[async_trait]
impl ObjectStore for NoObjects {
    async fn upload_url(&self, _: &str, _: &str, _: u64) -> Result<String, StoreError> {
        Err(StoreError::Backend("no imports bucket is configured (VIGIL_IMPORTS_BUCKET)".into()))
    }
    async fn size(&self, _: &str) -> Result<Option<u64>, StoreError> {
        Err(StoreError::Backend("no imports bucket is configured (VIGIL_IMPORTS_BUCKET)".into()))
    }
    async fn read_range(&self, _: &str, _: u64, _: u64) -> Result<Vec<u8>, StoreError> {
        Err(StoreError::Backend("no imports bucket is configured (VIGIL_IMPORTS_BUCKET)".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_directory() {
        let o = LocalObjects::new(PathBuf::from("/tmp/x"));
        assert_eq!(o.path("../../etc/passwd").unwrap(), PathBuf::from("/tmp/x/______etc_passwd"));
        assert!(o.path("").is_err());
    }

    #[tokio::test]
    async fn ranges_read_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let o = LocalObjects::new(dir.path().to_path_buf());
        assert_eq!(o.size("a").await.unwrap(), None);
        std::fs::write(o.path("a").unwrap(), b"hello world").unwrap();
        assert_eq!(o.size("a").await.unwrap(), Some(11));
        assert_eq!(o.read_range("a", 6, 100).await.unwrap(), b"world");
        o.delete("a").await.unwrap();
        assert_eq!(o.size("a").await.unwrap(), None);
    }
}
