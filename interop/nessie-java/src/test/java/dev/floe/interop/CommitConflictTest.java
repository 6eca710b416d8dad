package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectnessie.error.ErrorCode;
import org.projectnessie.error.NessieReferenceConflictException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitResponse;
import org.projectnessie.model.Conflict.ConflictType;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.LogResponse.LogEntry;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation.Delete;
import org.projectnessie.model.Operation.Put;

/**
 * Nessie's commit rule: the expected hash must be on the branch but need not be its head; a commit
 * fails only for keys whose value changed between the expected hash and the head.
 */
class CommitConflictTest extends NessieInterop {

  static final ContentKey NS = ContentKey.of("cc");
  static final ContentKey A = ContentKey.of("cc", "a");
  static final ContentKey B = ContentKey.of("cc", "b");
  static final ContentKey C = ContentKey.of("cc", "c");

  @Test
  void staleExpectedHashOnUnrelatedKeySucceeds() throws Exception {
    Branch b = newBranch("stale-ok");
    CommitResponse c0 = commit(b, "ns + a", Put.of(NS, Namespace.of(NS)), Put.of(A, table("a", 1)));
    String aId = addedId(c0, A);
    Branch stale = c0.getTargetBranch();
    Branch head = commit(stale, "update a", Put.of(A, table("a", 2, aId))).getTargetBranch();

    // commit against the stale hash, touching only b
    CommitResponse c = commit(stale, "add b against a stale hash", Put.of(B, table("b", 1)));
    String bId = addedId(c, B);
    String newHead = c.getTargetBranch().getHash();
    assertThat(newHead).isNotEqualTo(head.getHash());

    // the new commit sits on top of the real head, and keeps its change to a
    LogEntry top = api.getCommitLog().refName(b.getName()).maxRecords(1).get().getLogEntries().get(0);
    assertThat(top.getCommitMeta().getHash()).isEqualTo(newHead);
    assertThat(top.getParentCommitHash()).as("parent of a commit made against a stale hash").isEqualTo(head.getHash());
    assertTable(api.getContent().refName(b.getName()).getSingle(A).getContent(), table("a", 2), aId, "a keeps the concurrent update");
    assertTable(api.getContent().refName(b.getName()).getSingle(B).getContent(), table("b", 1), bId, "b");
  }

  @Test
  void staleExpectedHashOnChangedKeyConflicts() throws Exception {
    Branch b = newBranch("stale-conflict");
    CommitResponse c0 = commit(b, "ns + a", Put.of(NS, Namespace.of(NS)), Put.of(A, table("a", 1)));
    String aId = addedId(c0, A);
    Branch stale = c0.getTargetBranch();
    Branch head = commit(stale, "update a", Put.of(A, table("a", 2, aId))).getTargetBranch();

    NessieReferenceConflictException e =
        expectThrows(
            NessieReferenceConflictException.class,
            () -> commit(stale, "update a again against a stale hash", Put.of(A, table("a", 3, aId))),
            "update of a key changed since the expected hash");
    assertThat(e.getErrorCode()).isEqualTo(ErrorCode.REFERENCE_CONFLICT);
    assertThat(e.getStatus()).isEqualTo(409);
    assertSingleConflict(e, A, ConflictType.VALUE_DIFFERS);

    assertThat(headOf(b.getName())).as("head unchanged after a conflict").isEqualTo(head.getHash());
    assertTable(api.getContent().refName(b.getName()).getSingle(A).getContent(), table("a", 2), aId, "a after the failed commit");
  }

  @Test
  void staleExpectedHashOnCreatedOrDeletedKeyConflicts() throws Exception {
    Branch b = newBranch("stale-created");
    CommitResponse c0 = commit(b, "ns + a", Put.of(NS, Namespace.of(NS)), Put.of(A, table("a", 1)));
    String aId = addedId(c0, A);
    Branch stale = c0.getTargetBranch();
    // concurrently: c created, a dropped
    Branch head = commit(stale, "create c, drop a", Put.of(C, table("c", 1)), Delete.of(A)).getTargetBranch();

    NessieReferenceConflictException created =
        expectThrows(
            NessieReferenceConflictException.class,
            () -> commit(stale, "create c again", Put.of(C, table("c", 7))),
            "create a key that was created since the expected hash");
    assertSingleConflict(created, C, ConflictType.KEY_EXISTS);

    NessieReferenceConflictException deleted =
        expectThrows(
            NessieReferenceConflictException.class,
            () -> commit(stale, "update a dropped table", Put.of(A, table("a", 2, aId))),
            "update a key that was deleted since the expected hash");
    assertSingleConflict(deleted, A, ConflictType.KEY_DOES_NOT_EXIST);

    assertThat(headOf(b.getName())).isEqualTo(head.getHash());
  }

  @Test
  void tableWithoutNamespaceIsRejected() throws Exception {
    Branch b = newBranch("no-ns");
    ContentKey orphan = ContentKey.of("nowhere", "t");
    NessieReferenceConflictException e =
        expectThrows(
            NessieReferenceConflictException.class,
            () -> commit(b, "table without namespace", Put.of(orphan, table("t", 1))),
            "Put of a table whose namespace does not exist");
    assertThat(conflictsOf(e))
        .as("conflicts of '%s'", e.getMessage())
        .extracting(x -> x.key(), x -> x.conflictType())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(ContentKey.of("nowhere"), ConflictType.NAMESPACE_ABSENT));
    assertThat(headOf(b.getName())).isEqualTo(b.getHash());

    // both in one commit is fine
    CommitResponse ok =
        commit(b, "namespace and table", Put.of(ContentKey.of("nowhere"), Namespace.of("nowhere")), Put.of(orphan, table("t", 1)));
    assertThat(ok.getAddedContents()).hasSize(2);
    assertThat(List.copyOf(ok.toAddedContentsMap().keySet())).containsExactlyInAnyOrder(ContentKey.of("nowhere"), orphan);
  }
}
