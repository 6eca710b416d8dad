package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.projectnessie.error.NessieReferenceConflictException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitResponse;
import org.projectnessie.model.Conflict;
import org.projectnessie.model.Conflict.ConflictType;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.DiffResponse;
import org.projectnessie.model.DiffResponse.DiffEntry;
import org.projectnessie.model.LogResponse.LogEntry;
import org.projectnessie.model.MergeBehavior;
import org.projectnessie.model.MergeResponse;
import org.projectnessie.model.MergeResponse.ContentKeyConflict;
import org.projectnessie.model.MergeResponse.ContentKeyDetails;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation.Delete;
import org.projectnessie.model.Operation.Put;

class MergeTransplantTest extends NessieInterop {

  static final ContentKey NS = ContentKey.of("m");
  static final ContentKey SHARED = ContentKey.of("m", "shared");
  static final ContentKey GONE = ContentKey.of("m", "gone");
  static final ContentKey ON_DEV = ContentKey.of("m", "on_dev");
  static final ContentKey ON_TARGET = ContentKey.of("m", "on_target");

  /** target: ns, shared, gone; dev forked from it. */
  record Forked(Branch target, Branch dev, String nsId, String sharedId, String goneId) {}

  static Forked fork(String what) throws Exception {
    Branch target = newBranch(what + "-target");
    CommitResponse c =
        commit(
            target,
            "base",
            Put.of(NS, Namespace.of(NS)),
            Put.of(SHARED, table("shared", 1)),
            Put.of(GONE, table("gone", 1)));
    Branch base = c.getTargetBranch();
    Branch dev = newBranchFrom(what + "-dev", base);
    return new Forked(base, dev, addedId(c, NS), addedId(c, SHARED), addedId(c, GONE));
  }

  @Test
  void diffBetweenBranches() throws Exception {
    Forked f = fork("diff");
    Branch dev =
        commit(
                f.dev(),
                "dev changes",
                Put.of(SHARED, table("shared", 2, f.sharedId())),
                Delete.of(GONE),
                Put.of(ON_DEV, table("on_dev", 1)))
            .getTargetBranch();
    String onDevId = api.getContent().refName(dev.getName()).getSingle(ON_DEV).getContent().getId();

    DiffResponse diff = api.getDiff().fromRefName(f.target().getName()).toRefName(dev.getName()).get();
    Map<ContentKey, DiffEntry> byKey = byKey(diff.getDiffs(), DiffEntry::getKey);
    assertThat(byKey).as("diff target -> dev").containsOnlyKeys(SHARED, GONE, ON_DEV);
    assertTable(byKey.get(SHARED).getFrom(), table("shared", 1), f.sharedId(), "diff shared.from");
    assertTable(byKey.get(SHARED).getTo(), table("shared", 2), f.sharedId(), "diff shared.to");
    assertTable(byKey.get(GONE).getFrom(), table("gone", 1), f.goneId(), "diff gone.from");
    assertThat(byKey.get(GONE).getTo()).as("diff gone.to").isNull();
    assertThat(byKey.get(ON_DEV).getFrom()).as("diff on_dev.from").isNull();
    assertTable(byKey.get(ON_DEV).getTo(), table("on_dev", 1), onDevId, "diff on_dev.to");
    assertThat(diff.getEffectiveFromReference().getHash()).as("effectiveFromReference").isEqualTo(f.target().getHash());
    assertThat(diff.getEffectiveToReference().getHash()).as("effectiveToReference").isEqualTo(dev.getHash());

    // the other way round
    Map<ContentKey, DiffEntry> back =
        byKey(api.getDiff().fromRefName(dev.getName()).toRefName(f.target().getName()).get().getDiffs(), DiffEntry::getKey);
    assertThat(back).containsOnlyKeys(SHARED, GONE, ON_DEV);
    assertThat(back.get(ON_DEV).getTo()).isNull();
    assertTable(back.get(GONE).getTo(), table("gone", 1), f.goneId(), "reverse diff gone.to");

    // by hash, restricted to one key, and empty between equal trees
    assertThat(
            api.getDiff()
                .fromRefName(dev.getName())
                .fromHashOnRef(f.target().getHash())
                .toRefName(dev.getName())
                .key(SHARED)
                .get()
                .getDiffs())
        .extracting(DiffEntry::getKey)
        .containsExactly(SHARED);
    assertThat(
            api.getDiff()
                .fromRefName(f.target().getName())
                .toRefName(dev.getName())
                .toHashOnRef(f.dev().getHash())
                .get()
                .getDiffs())
        .as("diff between a branch and the commit it was forked from")
        .isEmpty();
  }

  @Test
  void mergeWithoutConflict() throws Exception {
    Forked f = fork("merge");
    Branch dev =
        commit(f.dev(), "dev: update shared, add on_dev", Put.of(SHARED, table("shared", 2, f.sharedId())), Put.of(ON_DEV, table("on_dev", 1)))
            .getTargetBranch();
    dev = commit(dev, "dev: drop gone", Delete.of(GONE)).getTargetBranch();
    String onDevId = api.getContent().refName(dev.getName()).getSingle(ON_DEV).getContent().getId();
    CommitResponse t = commit(f.target(), "target: add on_target", Put.of(ON_TARGET, table("on_target", 1)));
    String onTargetId = addedId(t, ON_TARGET);
    Branch target = t.getTargetBranch();

    // dry run: succeeds, applies nothing
    MergeResponse dry = api.mergeRefIntoBranch().branch(target).fromRef(dev).dryRun(true).merge();
    assertThat(dry.wasSuccessful()).as("dry-run merge wasSuccessful").isTrue();
    assertThat(dry.wasApplied()).as("dry-run merge wasApplied").isFalse();
    assertThat(headOf(target.getName())).as("target after a dry-run merge").isEqualTo(target.getHash());

    MergeResponse merged =
        api.mergeRefIntoBranch().branch(target).fromRef(dev).message("merge dev into target").merge();
    assertThat(merged.wasSuccessful()).as("merge wasSuccessful").isTrue();
    assertThat(merged.wasApplied()).as("merge wasApplied").isTrue();
    assertThat(merged.getTargetBranch()).as("merge targetBranch").isEqualTo(target.getName());
    assertThat(merged.getCommonAncestor()).as("merge commonAncestor").isEqualTo(f.target().getHash());
    assertThat(merged.getEffectiveTargetHash()).as("merge effectiveTargetHash").isEqualTo(target.getHash());
    String newHead = headOf(target.getName());
    assertThat(merged.getResultantTargetHash()).as("merge resultantTargetHash").isEqualTo(newHead).isNotEqualTo(target.getHash());
    assertThat(merged.getDetails())
        .as("merge details carry no conflict")
        .allSatisfy(d -> assertThat(d.getConflict()).isNull());

    // one merge commit on the target with the source as second parent
    List<LogEntry> log = api.getCommitLog().refName(target.getName()).untilHash(target.getHash()).get().getLogEntries();
    assertThat(log).extracting(e -> e.getCommitMeta().getHash()).as("target log after merge").containsExactly(newHead, target.getHash());
    assertThat(log.get(0).getCommitMeta().getMessage()).isEqualTo("merge dev into target");
    assertThat(log.get(0).getCommitMeta().getParentCommitHashes())
        .as("parents of the merge commit")
        .containsExactly(target.getHash(), dev.getHash());
    assertThat(log.get(0).getParentCommitHash()).isEqualTo(target.getHash());

    Map<ContentKey, org.projectnessie.model.Content> contents =
        api.getContent().refName(target.getName()).key(NS).key(SHARED).key(GONE).key(ON_DEV).key(ON_TARGET).get();
    assertThat(contents).as("target contents after merge").containsOnlyKeys(NS, SHARED, ON_DEV, ON_TARGET);
    assertTable(contents.get(SHARED), table("shared", 2), f.sharedId(), "merged shared");
    assertTable(contents.get(ON_DEV), table("on_dev", 1), onDevId, "merged on_dev keeps its id");
    assertTable(contents.get(ON_TARGET), table("on_target", 1), onTargetId, "on_target");

    // now only the target's own change differs
    assertThat(api.getDiff().fromRefName(dev.getName()).toRefName(target.getName()).get().getDiffs())
        .extracting(DiffEntry::getKey)
        .containsExactly(ON_TARGET);
  }

  /** dev and target both changed "shared" since the fork. */
  record Conflicting(Forked f, Branch dev, Branch target) {}

  static Conflicting conflicting(String what) throws Exception {
    Forked f = fork(what);
    Branch dev = commit(f.dev(), "dev: shared v2", Put.of(SHARED, table("shared", 2, f.sharedId()))).getTargetBranch();
    Branch target = commit(f.target(), "target: shared v3", Put.of(SHARED, table("shared", 3, f.sharedId()))).getTargetBranch();
    return new Conflicting(f, dev, target);
  }

  @Test
  void mergeWithConflictFails() throws Exception {
    Conflicting c = conflicting("conflict");
    NessieReferenceConflictException e =
        expectThrows(
            NessieReferenceConflictException.class,
            () -> api.mergeRefIntoBranch().branch(c.target()).fromRef(c.dev()).merge(),
            "merge of a key changed on both sides");
    assertThat(e.getStatus()).isEqualTo(409);
    assertThat(headOf(c.target().getName())).as("target after a failed merge").isEqualTo(c.target().getHash());
    List<Conflict> conflicts = conflictsOf(e);
    assertThat(conflicts).extracting(Conflict::key).as("conflicting keys").containsExactly(SHARED);
    assertThat(conflicts.get(0).conflictType()).as("conflict type").isEqualTo(ConflictType.VALUE_DIFFERS);
  }

  @Test
  void mergeWithConflictAsResultAndDryRun() throws Exception {
    Conflicting c = conflicting("conflict-result");
    MergeResponse asResult = api.mergeRefIntoBranch().branch(c.target()).fromRef(c.dev()).returnConflictAsResult(true).merge();
    assertThat(asResult.wasSuccessful()).as("conflicting merge wasSuccessful").isFalse();
    assertThat(asResult.wasApplied()).as("conflicting merge wasApplied").isFalse();
    assertThat(headOf(c.target().getName())).isEqualTo(c.target().getHash());
    ContentKeyDetails details = byKey(asResult.getDetails(), ContentKeyDetails::getKey).get(SHARED);
    assertThat(details).as("merge details for %s", SHARED).isNotNull();
    assertThat(details.getConflict()).as("conflict in the details").isNotNull();
    assertThat(details.getConflict().conflictType()).isEqualTo(ConflictType.VALUE_DIFFERS);

    // dry run with conflicts as result: same answer, nothing applied
    MergeResponse dry = api.mergeRefIntoBranch().branch(c.target()).fromRef(c.dev()).returnConflictAsResult(true).dryRun(true).merge();
    assertThat(dry.wasSuccessful()).as("dry-run conflicting merge wasSuccessful").isFalse();
    assertThat(dry.wasApplied()).as("dry-run conflicting merge wasApplied").isFalse();
    assertThat(byKey(dry.getDetails(), ContentKeyDetails::getKey).get(SHARED).getConflict()).isNotNull();
    assertThat(headOf(c.target().getName())).isEqualTo(c.target().getHash());

    // Nessie marks a key with a conflict as UNRESOLVABLE (the default, when absent, is NONE)
    assertThat(details.getConflictType()).as("conflictType of the conflicting key's details").isEqualTo(ContentKeyConflict.UNRESOLVABLE);
  }

  @Test
  void mergeWithConflictForced() throws Exception {
    Conflicting c = conflicting("conflict-force");
    // FORCE on the key takes the source's value
    MergeResponse forced =
        api.mergeRefIntoBranch().branch(c.target()).fromRef(c.dev()).mergeMode(SHARED, MergeBehavior.FORCE).merge();
    assertThat(forced.wasSuccessful()).isTrue();
    assertThat(forced.wasApplied()).isTrue();
    assertThat(forced.getResultantTargetHash()).isEqualTo(headOf(c.target().getName()));
    assertTable(
        api.getContent().refName(c.target().getName()).getSingle(SHARED).getContent(),
        table("shared", 2),
        c.f().sharedId(),
        "shared after a FORCE merge");
  }

  @Test
  void mergeDropBehaviorKeepsTarget() throws Exception {
    Forked f = fork("drop");
    Branch dev =
        commit(f.dev(), "dev: shared v2 and on_dev", Put.of(SHARED, table("shared", 2, f.sharedId())), Put.of(ON_DEV, table("on_dev", 1)))
            .getTargetBranch();
    Branch target = commit(f.target(), "target: shared v3", Put.of(SHARED, table("shared", 3, f.sharedId()))).getTargetBranch();
    MergeResponse r = api.mergeRefIntoBranch().branch(target).fromRef(dev).mergeMode(SHARED, MergeBehavior.DROP).merge();
    assertThat(r.wasSuccessful()).isTrue();
    assertThat(r.wasApplied()).isTrue();
    Map<ContentKey, org.projectnessie.model.Content> c = api.getContent().refName(target.getName()).key(SHARED).key(ON_DEV).get();
    assertTable(c.get(SHARED), table("shared", 3), f.sharedId(), "shared after merge with DROP");
    assertThat(c).containsKey(ON_DEV);
  }

  @Test
  void transplantOneCommit() throws Exception {
    Forked f = fork("transplant");
    CommitResponse d1 = commit(f.dev(), "dev: first", Put.of(ON_DEV, table("on_dev", 1)));
    ContentKey second = ContentKey.of("m", "second");
    CommitResponse d2 = commit(d1.getTargetBranch(), "dev: second", Put.of(second, table("second", 1)));
    String secondId = addedId(d2, second);
    Branch target = f.target();

    MergeResponse r =
        api.transplantCommitsIntoBranch()
            .branch(target)
            .fromRefName(f.dev().getName())
            .hashesToTransplant(List.of(d2.getTargetBranch().getHash()))
            .transplant();
    assertThat(r.wasSuccessful()).as("transplant wasSuccessful").isTrue();
    assertThat(r.wasApplied()).as("transplant wasApplied").isTrue();
    String newHead = headOf(target.getName());
    assertThat(r.getResultantTargetHash()).isEqualTo(newHead).isNotEqualTo(target.getHash());

    Map<ContentKey, org.projectnessie.model.Content> c =
        api.getContent().refName(target.getName()).key(ON_DEV).key(second).get();
    assertThat(c).as("only the transplanted commit's change").containsOnlyKeys(second);
    assertTable(c.get(second), table("second", 1), secondId, "transplanted table keeps its id");

    List<LogEntry> log = api.getCommitLog().refName(target.getName()).untilHash(target.getHash()).get().getLogEntries();
    assertThat(log).hasSize(2);
    assertThat(log.get(0).getCommitMeta().getMessage()).as("message of the transplanted commit").isEqualTo("dev: second");
    assertThat(log.get(0).getParentCommitHash()).isEqualTo(target.getHash());
    assertThat(log.get(0).getCommitMeta().getHash()).as("a transplanted commit is a new commit").isNotEqualTo(d2.getTargetBranch().getHash());

    // transplanting a conflicting commit fails, or reports the conflict as a result
    Branch t2 = commit(newBranchFrom("transplant-t2", f.target()), "t2: shared v3", Put.of(SHARED, table("shared", 3, f.sharedId()))).getTargetBranch();
    CommitResponse d3 = commit(d2.getTargetBranch(), "dev: shared v2", Put.of(SHARED, table("shared", 2, f.sharedId())));
    NessieReferenceConflictException e =
        expectThrows(
            NessieReferenceConflictException.class,
            () ->
                api.transplantCommitsIntoBranch()
                    .branch(t2)
                    .fromRefName(f.dev().getName())
                    .hashesToTransplant(List.of(d3.getTargetBranch().getHash()))
                    .transplant(),
            "transplant of a conflicting commit");
    assertThat(conflictsOf(e)).extracting(Conflict::key).containsExactly(SHARED);
    MergeResponse asResult =
        api.transplantCommitsIntoBranch()
            .branch(t2)
            .fromRefName(f.dev().getName())
            .hashesToTransplant(List.of(d3.getTargetBranch().getHash()))
            .returnConflictAsResult(true)
            .transplant();
    assertThat(asResult.wasSuccessful()).isFalse();
    assertThat(asResult.wasApplied()).isFalse();
    assertThat(headOf(t2.getName())).isEqualTo(t2.getHash());
  }
}
