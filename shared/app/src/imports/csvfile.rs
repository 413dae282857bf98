//! Reading the uploaded CSV: whole rows from a byte window of the file, the header, and the mapping a header
//! suggests.

use vigil_domain::lead::NEW_LEAD_FIELDS;
use vigil_domain::sorted::SortedMap;

/// Rows read from a window of the file.
#[derive(Debug, Default)]
pub struct Window {
    /// Each row's fields (trimmed).
    pub rows: Vec<Vec<String>>,
    /// Absolute offset just past the last whole row read: where the next window starts.
    pub end: u64,
    /// No rows follow `end`.
    pub at_eof: bool,
}

/// Reads at most `max` whole rows from `bytes`, which start at the file's absolute offset `base`; `reaches_eof`
/// says the window ends where the file does. A row the window cuts off is left for the next window, so a row that
/// does not fit a whole window at all is an error rather than a silently shortened row.
pub fn rows(bytes: &[u8], base: u64, max: usize, reaches_eof: bool) -> Result<Window, String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut out = Window { rows: Vec::new(), end: base, at_eof: false };
    let mut consumed = 0usize;
    loop {
        if out.rows.len() >= max {
            out.at_eof = reaches_eof && only_blank(bytes.get(consumed..).unwrap_or_default());
            break;
        }
        match rdr.read_byte_record(&mut record) {
            Ok(false) => {
                out.at_eof = reaches_eof;
                break;
            }
            Ok(true) => {
                let end = usize::try_from(rdr.position().byte()).unwrap_or(usize::MAX);
                if !reaches_eof && end >= bytes.len() {
                    // Possibly cut off by the window: the next window starts with it.
                    break;
                }
                out.rows.push(record.iter().map(field).collect());
                consumed = end;
            }
            Err(e) => return Err(format!("the file is not readable CSV near byte {}: {e}", base + consumed as u64)),
        }
    }
    if out.rows.is_empty() && !out.at_eof && bytes.len() as u64 >= super::WINDOW_BYTES {
        return Err("a row is longer than the import reads at once (8 MB)".into());
    }
    out.end = base + consumed as u64;
    if out.at_eof {
        out.end = base + bytes.len() as u64;
    }
    Ok(out)
}

fn only_blank(b: &[u8]) -> bool {
    b.iter().all(|c| c.is_ascii_whitespace())
}

fn field(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

/// The header's columns and the offset of the first data row. A UTF-8 byte order mark is dropped.
pub fn header(bytes: &[u8]) -> Result<(Vec<String>, u64), String> {
    let bom = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    let body = bytes.get(bom..).unwrap_or_default();
    let w = rows(body, bom as u64, 1, body.len() < super::WINDOW_BYTES as usize)?;
    match w.rows.into_iter().next() {
        Some(cols) if cols.iter().any(|c| !c.is_empty()) => Ok((cols, w.end)),
        _ => Err("the file has no header row".into()),
    }
}

/// The fields a column may map to: the New Lead form's, and `id` (to match existing leads by ID).
pub fn mappable_fields() -> Vec<String> {
    let mut f: Vec<String> = NEW_LEAD_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    f.push("id".into());
    f
}

/// The field a header names, by its usual spellings (case, spaces and punctuation ignored).
pub fn suggest(column: &str) -> Option<&'static str> {
    let n: String = column.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(|c| c.to_lowercase()).collect();
    let field = match n.as_str() {
        "firstname" | "first" | "fname" | "givenname" => "first_name",
        "lastname" | "last" | "lname" | "surname" | "familyname" => "last_name",
        "phone" | "phonenumber" | "primaryphone" | "telephone" | "tel" | "mobile" | "cell" | "cellphone" => {
            "primary_phone"
        }
        "email" | "emailaddress" | "mail" => "email",
        "address" | "address1" | "street" | "streetaddress" | "addressline1" => "address1",
        "address2" | "addressline2" | "apt" | "suite" | "unit" => "address2",
        "city" | "town" => "city",
        "state" | "st" | "province" | "region" => "state",
        "zip" | "zipcode" | "postalcode" | "postcode" => "zip",
        "county" => "county",
        "crossstreet" => "cross_street",
        "language" | "lang" => "language",
        "accounttype" | "type" => "account_type",
        "sourceid" => "source_id",
        "campaignid" => "campaign_id",
        "dispositionid" | "statusid" | "leadstatusid" => "disposition_id",
        "accountclassid" => "account_class_id",
        "id" | "leadid" => "id",
        _ => return None,
    };
    Some(field)
}

/// Column → field for every column whose header names a field, each field once (the first column naming it).
pub fn suggested_mapping(columns: &[String]) -> SortedMap<String, String> {
    let mut taken = std::collections::BTreeSet::new();
    let mut out = SortedMap::new();
    for c in columns {
        if let Some(f) = suggest(c) {
            if taken.insert(f) && !out.contains_key(c) {
                out.insert(c.clone(), f.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_stops_before_a_row_it_cuts() {
        let data = b"a,b\n\"x\ny\",2\nlast,3";
        let w = rows(data, 0, 100, false).unwrap();
        assert_eq!(w.rows, vec![vec!["a".to_string(), "b".into()], vec!["x\ny".into(), "2".into()]]);
        assert_eq!(w.end, 12);
        assert!(!w.at_eof);
        let rest = rows(&data[12..], 12, 100, true).unwrap();
        assert_eq!(rest.rows, vec![vec!["last".to_string(), "3".into()]]);
        assert!(rest.at_eof);
        assert_eq!(rest.end, data.len() as u64);
    }

    #[test]
    fn at_most_max_rows_and_the_offset_of_the_next() {
        let data = b"1\n2\n3\n";
        let w = rows(data, 10, 2, true).unwrap();
        assert_eq!(w.rows.len(), 2);
        assert_eq!(w.end, 14);
        assert!(!w.at_eof);
        let w = rows(&data[4..], 14, 2, true).unwrap();
        assert_eq!(w.rows.len(), 1);
        assert!(w.at_eof);
    }

    #[test]
    fn header_and_suggestions() {
        let (cols, start) =
            header("\u{feff}First Name,Last Name,Phone,E-mail,Notes\nA,B,1,x@y.z,n\n".as_bytes()).unwrap();
        assert_eq!(cols[0], "First Name");
        assert_eq!(start, 3 + 40);
        let m = suggested_mapping(&cols);
        assert_eq!(m.get("Phone").map(String::as_str), Some("primary_phone"));
        assert_eq!(m.get("E-mail").map(String::as_str), Some("email"));
        assert!(!m.contains_key("Notes"));
    }
}
