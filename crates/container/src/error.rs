//! Errors and anomalies.

use std::fmt;

/// Formats a byte count for humans: `512 MiB` when exact, `4.0 GiB` otherwise, `17 bytes` below
/// 1 KiB.
pub(crate) struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 4] = [
            ("TiB", 1 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ];
        for (unit, scale) in UNITS {
            if self.0 >= scale {
                return if self.0 % scale == 0 {
                    write!(f, "{} {unit}", self.0 / scale)
                } else {
                    write!(f, "{:.1} {unit}", self.0 as f64 / scale as f64)
                };
            }
        }
        write!(f, "{} bytes", self.0)
    }
}

/// Why an archive or an entry could not be read at all. `Display` names the entry and the
/// problem (the caller prefixes the file name).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContainerError {
    /// No end of central directory record in the last 64 KiB + 22 bytes.
    NotZip,
    /// The central directory cannot be located or its first record is not one.
    BadCentralDirectory {
        /// Offset of the problem in the file.
        offset: u64,
        /// What was wrong.
        reason: &'static str,
    },
    /// The archive declares more entries than [`crate::Limits::max_entries`].
    TooManyEntries {
        /// Entries declared by the end of central directory record.
        declared: u64,
        /// The limit.
        limit: usize,
    },
    /// The entry's declared size is over [`crate::Limits::max_entry_size`].
    EntryTooLarge {
        /// Entry name.
        entry: String,
        /// Declared uncompressed size.
        declared: u64,
        /// The limit.
        limit: u64,
    },
    /// The entry's declared inflation ratio is over [`crate::Limits::max_ratio`].
    RatioExceeded {
        /// Entry name.
        entry: String,
        /// Declared uncompressed size.
        uncompressed: u64,
        /// Declared compressed size.
        compressed: u64,
        /// The limit.
        limit: u64,
    },
    /// Reading the entry would take the archive's inflated total over
    /// [`crate::Limits::max_total_inflated`].
    TotalExceeded {
        /// Entry name.
        entry: String,
        /// Bytes already inflated from this archive.
        used: u64,
        /// Bytes this entry needs.
        needed: u64,
        /// The limit.
        limit: u64,
    },
    /// The entry lied about its size and really inflates past the limit.
    InflatedTooLarge {
        /// Entry name.
        entry: String,
        /// Declared uncompressed size.
        declared: u64,
        /// The limit that stopped inflation.
        limit: u64,
    },
    /// The entry's data runs past the end of the file.
    OutOfBounds {
        /// Entry name.
        entry: String,
        /// Offset of the data.
        offset: u64,
        /// Length wanted.
        len: u64,
        /// File length.
        file_len: u64,
    },
    /// The entry's local header is missing or unreadable, so its data cannot be found.
    BadLocalHeader {
        /// Entry name.
        entry: String,
        /// Offset of the local header.
        offset: u64,
    },
    /// The deflate stream is corrupt.
    Inflate {
        /// Entry name.
        entry: String,
        /// Offset of the compressed data.
        offset: u64,
        /// What the decoder said.
        reason: String,
    },
}

impl fmt::Display for ContainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerError::NotZip => write!(f, "not a zip: no end of central directory record"),
            ContainerError::BadCentralDirectory { offset, reason } => {
                write!(f, "bad central directory at offset {offset}: {reason}")
            }
            ContainerError::TooManyEntries { declared, limit } => {
                write!(f, "archive declares {declared} entries, over the max-entries limit {limit}")
            }
            ContainerError::EntryTooLarge {
                entry,
                declared,
                limit,
            } => write!(
                f,
                "{entry}: declared size {} exceeds the max-entry-size limit {}",
                Size(*declared),
                Size(*limit)
            ),
            ContainerError::RatioExceeded {
                entry,
                uncompressed,
                compressed,
                limit,
            } => write!(
                f,
                "{entry}: declared size {} from {} compressed exceeds the max-ratio limit {limit}:1 (zip bomb?)",
                Size(*uncompressed),
                Size(*compressed)
            ),
            ContainerError::TotalExceeded {
                entry,
                used,
                needed,
                limit,
            } => write!(
                f,
                "{entry}: inflating {} more after {} would exceed the max-total-inflated limit {}",
                Size(*needed),
                Size(*used),
                Size(*limit)
            ),
            ContainerError::InflatedTooLarge {
                entry,
                declared,
                limit,
            } => write!(
                f,
                "{entry}: declared size {} but inflates past the limit {} (size lies; stopped)",
                Size(*declared),
                Size(*limit)
            ),
            ContainerError::OutOfBounds {
                entry,
                offset,
                len,
                file_len,
            } => write!(
                f,
                "{entry}: data at offset {offset} of length {len} runs past the end of the file ({file_len} bytes)"
            ),
            ContainerError::BadLocalHeader { entry, offset } => write!(
                f,
                "{entry}: no readable local file header at offset {offset}"
            ),
            ContainerError::Inflate {
                entry,
                offset,
                reason,
            } => write!(
                f,
                "{entry}: corrupt deflate data at offset {offset}: {reason}"
            ),
        }
    }
}

impl std::error::Error for ContainerError {}

/// What kind of oddity an [`Anomaly`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnomalyKind {
    /// The local header disagrees with the central directory (method, name, sizes, CRC).
    LocalHeaderMismatch,
    /// The local header is missing or unreadable.
    BadLocalHeader,
    /// A compression method other than 0 (stored) or 8 (deflate). Android's resource loader
    /// (`androidfw` `ZipAssetsProvider::OpenInternal`) reads such an entry as stored, while
    /// `libziparchive`'s `ExtractToWriter` (DEX, native libraries) refuses it; trackscan reads
    /// it as stored when the sizes say so, else as deflate if it is a complete deflate stream of
    /// the declared size, else as stored (see [`crate::ZipArchive::read`]).
    UnknownMethod,
    /// Entries use data descriptors (flag bit 3).
    DataDescriptor,
    /// Bytes before the zip (self-extractor stub, polyglot) or offsets shifted by them.
    PrependedData,
    /// Two central directory records with the same name; the first is kept.
    DuplicateName,
    /// Entries' data overlap each other or the central directory.
    Overlap,
    /// The "encrypted" flag is set on an entry that is not encrypted (Android ignores it).
    EncryptedFlag,
    /// An absolute or `..` path.
    PathTraversal,
    /// ZIP64 records or fields.
    Zip64,
    /// The data's CRC-32 disagrees with the declared one.
    CrcMismatch,
    /// Declared sizes disagree with the data (stored entry sizes, inflated length).
    SizeMismatch,
    /// The end of central directory record is odd (comment length, disk numbers, counts).
    BadEocd,
    /// An entry name is not valid UTF-8 (shown lossily).
    NonUtf8Name,
    /// An extra field is malformed (length past the end of the record).
    BadExtraField,
    /// The central directory ends before the declared entry count, or has trailing records.
    CentralDirectoryCount,
    /// The central directory could not be read (missing end record, offsets past the end
    /// record, truncated or garbage records): entries were recovered by scanning the local file
    /// headers. Android refuses such a file.
    RecoveredFromLocalHeaders,
    /// Too many anomalies; the rest were not recorded.
    Truncated,
}

/// One oddity seen in an archive: data, not an error. `Display` is `"<entry>: <detail>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The entry concerned, if any.
    pub entry: Option<String>,
    /// What kind of oddity.
    pub kind: AnomalyKind,
    /// Human-readable detail.
    pub detail: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(e) => write!(f, "{e}: {}", self.detail),
            None => write!(f, "{}", self.detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(Size(512 << 20).to_string(), "512 MiB");
        assert_eq!(Size((4 << 30) - 1).to_string(), "4.0 GiB");
        assert_eq!(Size(17).to_string(), "17 bytes");
        let e = ContainerError::EntryTooLarge {
            entry: "classes2.dex".into(),
            declared: u32::MAX as u64,
            limit: 512 << 20,
        };
        assert_eq!(
            e.to_string(),
            "classes2.dex: declared size 4.0 GiB exceeds the max-entry-size limit 512 MiB"
        );
        assert_eq!(
            ContainerError::NotZip.to_string(),
            "not a zip: no end of central directory record"
        );
    }
}
