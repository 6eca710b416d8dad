import { execFileSync } from "node:child_process";
import { badRequest } from "../core/errors.ts";

/** The few `git` calls `floe platform execute` makes in the GitOps repository's work tree. */
export class GitRepo {
  private constructor(readonly root: string) {}

  /** The work tree containing `dir`; a directory outside any work tree is a one-line error. */
  static open(dir: string): GitRepo {
    let root: string;
    try {
      root = git(dir, ["rev-parse", "--show-toplevel"]).trim();
    } catch {
      throw badRequest(`${dir} is not a git work tree (give the GitOps repository with --repo)`);
    }
    return new GitRepo(root);
  }

  /** Changed or untracked paths (relative to the root), leaving out `ignore`. */
  dirtyPaths(ignore: readonly string[] = []): string[] {
    return git(this.root, ["status", "--porcelain", "--untracked-files=all"])
      .split("\n")
      .filter((l) => l.length > 3)
      .map((l) => l.slice(3).replace(/^.* -> /, ""))
      .filter((p) => !ignore.includes(p));
  }

  /** Commits exactly `paths` (already written) and returns the new commit's id. */
  commit(paths: readonly string[], message: string): string {
    git(this.root, ["add", "--", ...paths]);
    git(this.root, ["commit", "--quiet", "--no-verify", "-m", message, "--", ...paths]);
    return this.head();
  }

  /** Adds a commit undoing `commit`. */
  revert(commit: string): string {
    git(this.root, ["revert", "--no-edit", commit]);
    return this.head();
  }

  /** Pushes the current branch to its upstream. */
  push(): void {
    git(this.root, ["push", "--quiet"]);
  }

  /** Whether `ancestor` is `commit` or one of its ancestors (false when either is unknown here). */
  contains(commit: string, ancestor: string): boolean {
    try {
      execFileSync("git", ["merge-base", "--is-ancestor", ancestor, commit], {
        cwd: this.root,
        stdio: "ignore",
      });
      return true;
    } catch {
      return false;
    }
  }

  head(): string {
    return git(this.root, ["rev-parse", "HEAD"]).trim();
  }
}

function git(cwd: string, args: readonly string[]): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim();
    throw badRequest(`git ${args[0]} failed: ${stderr.split("\n")[0] || (e as Error).message}`);
  }
}
