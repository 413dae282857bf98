//! ZIP suggestions for the New Lead form: `/static/zips.tsv.gz` (US ZIPs → city, state, county, derived from the
//! `zipcodes` package on PyPI, MIT; see web/tools/zip_table.py), fetched the first time someone types a ZIP,
//! unzipped by the browser's DecompressionStream and kept for the rest of the visit. Nothing outside Vigil is
//! contacted.

use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
pub struct ZipPlace {
    pub zip: String,
    pub city: String,
    pub state: String,
    /// Empty when the table has none.
    pub county: String,
}

/// The whole table, sorted by ZIP.
#[derive(Debug, Default, PartialEq)]
pub struct ZipTable(Vec<ZipPlace>);

impl ZipTable {
    /// Reads the table's text: `zip<TAB>city<TAB>state<TAB>county`, an empty state or county meaning "as the line
    /// before", `-` meaning no county, `#` lines being comments.
    pub fn parse(text: &str) -> Self {
        let mut out = Vec::new();
        let (mut state, mut county) = (String::new(), String::new());
        for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let (Some(zip), Some(city)) = (parts.next(), parts.next()) else { continue };
            let s = parts.next().unwrap_or("");
            let c = parts.next().unwrap_or("");
            if !s.is_empty() {
                state = s.to_owned();
            }
            if !c.is_empty() {
                county = if c == "-" { String::new() } else { c.to_owned() };
            }
            out.push(ZipPlace {
                zip: zip.to_owned(),
                city: city.to_owned(),
                state: state.clone(),
                county: county.clone(),
            });
        }
        ZipTable(out)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Up to `limit` places whose ZIP starts with the digits typed (ZIP+4 and spaces ignored); nothing for fewer
    /// than three digits.
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<ZipPlace> {
        let digits: String = typed.trim().chars().take_while(char::is_ascii_digit).take(5).collect();
        if digits.len() < 3 {
            return vec![];
        }
        let start = self.0.partition_point(|p| p.zip.as_str() < digits.as_str());
        self.0[start..].iter().take_while(|p| p.zip.starts_with(&digits)).take(limit).cloned().collect()
    }
}

thread_local! {
    static TABLE: RefCell<Option<Rc<ZipTable>>> = const { RefCell::new(None) };
}

/// The table, fetched once per visit.
#[cfg(target_arch = "wasm32")]
pub async fn load() -> Result<Rc<ZipTable>, String> {
    if let Some(t) = TABLE.with(|t| t.borrow().clone()) {
        return Ok(t);
    }
    let text = fetch_gunzipped("/static/zips.tsv.gz").await?;
    let table = Rc::new(ZipTable::parse(&text));
    TABLE.with(|t| *t.borrow_mut() = Some(table.clone()));
    Ok(table)
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn load() -> Result<Rc<ZipTable>, String> {
    TABLE.with(|t| t.borrow().clone()).ok_or_else(|| "the ZIP table loads in the browser only".to_owned())
}

#[cfg(target_arch = "wasm32")]
async fn fetch_gunzipped(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(fail)?.dyn_into().map_err(fail)?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let body = resp.body().ok_or("empty response")?;
    // `new DecompressionStream("gzip")`, reached through Reflect: web-sys ships it behind its unstable-API flag.
    let global = js_sys::global();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&global, &"DecompressionStream".into()).map_err(fail)?.dyn_into().map_err(fail)?;
    let gunzip = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&"gzip".into())).map_err(fail)?;
    let readable: web_sys::ReadableStream =
        js_sys::Reflect::get(&gunzip, &"readable".into()).map_err(fail)?.dyn_into().map_err(fail)?;
    let writable: web_sys::WritableStream =
        js_sys::Reflect::get(&gunzip, &"writable".into()).map_err(fail)?.dyn_into().map_err(fail)?;
    let pair = web_sys::ReadableWritablePair::new(&readable, &writable);
    let plain = body.pipe_through(&pair);
    let unzipped = web_sys::Response::new_with_opt_readable_stream(Some(&plain)).map_err(fail)?;
    let text = JsFuture::from(unzipped.text().map_err(fail)?).await.map_err(fail)?;
    text.as_string().ok_or_else(|| "the ZIP table is not text".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_repeated_fields_and_suggests_by_prefix() {
        let t = ZipTable::parse("# comment\n84601\tProvo\tUT\tUtah County\n84604\tProvo\n84606\tProvo\t\t-\n85001\tPhoenix\tAZ\tMaricopa County\n");
        assert_eq!(t.len(), 4);
        let s = t.suggest("846", 10);
        assert_eq!(s.len(), 3);
        assert_eq!(
            s[1],
            ZipPlace { zip: "84604".into(), city: "Provo".into(), state: "UT".into(), county: "Utah County".into() }
        );
        assert_eq!(s[2].county, "");
        assert_eq!(t.suggest("84601-1234", 10).len(), 1);
        assert!(t.suggest("84", 10).is_empty());
        assert_eq!(t.suggest("850", 10)[0].state, "AZ");
    }
}
