//! `yishi hook install`: a git pre-commit hook that runs `yishi check` on
//! what is being committed (the staged version of the site, exported from
//! git's index into a temporary folder, so a mistake left unstaged in the
//! working copy neither blocks nor slips through). Plain git, no hook
//! framework: one shell script in the repository's hooks folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first line after the shebang of the hook yishi writes: how a hook
/// is recognised as ours (and may be replaced by a newer one).
const MARK: &str = "# yishi pre-commit hook";

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("无法运行 git（{e}）：请先安装 git"))?;
    if !out.status.success() {
        return Err(format!(
            "{} 不在 git 仓库中：先在站点文件夹运行 git init（{}）",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A shell word in single quotes.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script for a site at `prefix` (relative to the repository's
/// top, `/`-terminated or empty), falling back to `exe` when `yishi` is not
/// on the PATH.
fn script(prefix: &str, exe: &Path) -> String {
    format!(
        r#"#!/bin/sh
{MARK} (yishi hook install): checks the records being committed.
# To skip it once: git commit --no-verify
site={prefix}
if command -v yishi >/dev/null 2>&1; then yishi=yishi; else yishi={exe}; fi
# Nothing of the site staged: nothing to check.
git diff --cached --quiet -- "${{site:-.}}" && exit 0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# The staged version of every file, as it will be committed.
git checkout-index --all --prefix="$tmp/" || exit 1
if ! "$yishi" check --quiet --root "$tmp/$site"; then
  echo "yishi: 提交被阻止：请先改正上面的错误，git add 之后再提交（路径相对于暂存的站点）。" >&2
  exit 1
fi
"#,
        prefix = quoted(prefix),
        exe = quoted(&exe.to_string_lossy()),
    )
}

/// Install the hook for the site at `root`; returns the hook's path.
/// Refuses to replace a pre-commit hook that yishi did not write.
pub fn install(root: &Path) -> Result<PathBuf, String> {
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let hooks = git(root, &["rev-parse", "--git-path", "hooks"])?;
    let hooks = {
        let p = PathBuf::from(&hooks);
        if p.is_absolute() {
            p
        } else {
            root.join(p)
        }
    };
    let path = hooks.join("pre-commit");
    if let Ok(old) = std::fs::read_to_string(&path) {
        if !old.contains(MARK) {
            return Err(format!(
                "{} 已有别的 pre-commit 钩子，没有替换它：请把 “yishi check --quiet” 加进去，或删除它后重新运行",
                path.display()
            ));
        }
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&hooks).map_err(|e| format!("{}: {e}", hooks.display()))?;
    std::fs::write(&path, script(&prefix, &exe)).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_what_it_names() {
        let s = script("my site/", Path::new("/opt/it's/yishi"));
        assert!(s.starts_with("#!/bin/sh\n# yishi pre-commit hook"));
        assert!(s.contains("site='my site/'\n"));
        assert!(s.contains(r"yishi='/opt/it'\''s/yishi'"));
    }
}
