//! The open-file limit: 10,000 connections need more descriptors than the usual soft limit.

use rlimit::Resource;

/// Raises the soft `RLIMIT_NOFILE` to cover `wanted` descriptors (up to the hard limit) and
/// returns a line saying what happened. Child processes (the servers) inherit the limit.
pub fn raise_open_files(wanted: u64) -> Result<String, String> {
    let (soft, hard) = Resource::NOFILE
        .get()
        .map_err(|error| format!("cannot read RLIMIT_NOFILE: {error}"))?;
    if soft >= wanted {
        return Ok(format!("open-file limit {soft} already covers {wanted}"));
    }
    let target = wanted.min(hard);
    Resource::NOFILE
        .set(target, hard)
        .map_err(|error| format!("cannot raise RLIMIT_NOFILE from {soft} to {target}: {error}"))?;
    if target < wanted {
        return Err(format!(
            "open-file limit raised from {soft} only to the hard limit {hard}, below the \
             {wanted} needed: raise it (ulimit -Hn, as root) or use fewer connections"
        ));
    }
    Ok(format!("open-file limit raised from {soft} to {target}"))
}
