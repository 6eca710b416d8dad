package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.projectnessie.error.ErrorCode;
import org.projectnessie.error.NessieBadRequestException;
import org.projectnessie.error.NessieConflictException;
import org.projectnessie.error.NessieNotFoundException;
import org.projectnessie.error.NessieReferenceAlreadyExistsException;
import org.projectnessie.error.NessieReferenceConflictException;
import org.projectnessie.error.NessieReferenceNotFoundException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation.Put;
import org.projectnessie.model.Reference;
import org.projectnessie.model.Tag;

class ReferencesTest extends NessieInterop {

  @Test
  void createListAndDeleteBranch() throws Exception {
    Branch main = mainBranch();
    Branch b = newBranch("branch");

    Reference fetched = ref(b.getName());
    assertThat(fetched).as("getReference(%s)", b.getName()).isInstanceOf(Branch.class);
    assertThat(fetched.getHash()).isEqualTo(main.getHash());

    Map<String, Reference> all = byKey(api.getAllReferences().get().getReferences(), Reference::getName);
    assertThat(all).as("getAllReferences()").containsKeys("main", b.getName());
    assertThat(all.get(b.getName())).isInstanceOf(Branch.class);
    assertThat(all.get(b.getName()).getHash()).isEqualTo(main.getHash());
    assertThat(all.get("main").getHash()).isEqualTo(main.getHash());

    // a branch moves on commit, its source does not
    Branch after =
        commit(b, "ns", Put.of(ContentKey.of("ns"), Namespace.of("ns"))).getTargetBranch();
    assertThat(headOf("main")).as("main after a commit on another branch").isEqualTo(main.getHash());

    // deleting with a stale expected hash fails and deletes nothing
    NessieConflictException stale =
        expectThrows(
            NessieConflictException.class,
            () -> api.deleteReference().refName(b.getName()).hash(main.getHash()).delete(),
            "delete branch with a stale expected hash");
    assertThat(stale.getErrorCode()).isEqualTo(ErrorCode.REFERENCE_CONFLICT);
    assertThat(headOf(b.getName())).isEqualTo(after.getHash());

    Reference deleted = api.deleteReference().reference(after).getAndDelete();
    assertThat(deleted).as("deleted reference").isInstanceOf(Branch.class);
    assertThat(deleted.getName()).isEqualTo(b.getName());
    assertThat(deleted.getHash()).isEqualTo(after.getHash());

    expectThrows(
        NessieReferenceNotFoundException.class,
        () -> ref(b.getName()),
        "getReference of a deleted branch");
    assertThat(api.getAllReferences().get().getReferences())
        .extracting(Reference::getName)
        .doesNotContain(b.getName());
  }

  @Test
  void createAssignAndDeleteTag() throws Exception {
    Branch b = newBranch("tagged");
    Branch c1 = commit(b, "one", Put.of(ContentKey.of("one"), Namespace.of("one"))).getTargetBranch();
    Branch c2 = commit(c1, "two", Put.of(ContentKey.of("two"), Namespace.of("two"))).getTargetBranch();

    String tagName = uniqueName("tag");
    Reference created =
        api.createReference().sourceRefName(b.getName()).reference(Tag.of(tagName, c1.getHash())).create();
    assertThat(created).as("created tag").isInstanceOf(Tag.class);
    assertThat(created.getName()).isEqualTo(tagName);
    assertThat(created.getHash()).isEqualTo(c1.getHash());

    Reference fetched = ref(tagName);
    assertThat(fetched).isInstanceOf(Tag.class);
    assertThat(fetched.getHash()).isEqualTo(c1.getHash());

    // contents are readable through the tag, as of the tagged commit
    assertThat(api.getContent().refName(tagName).key(ContentKey.of("one")).key(ContentKey.of("two")).get())
        .as("contents through tag %s", tagName)
        .containsOnlyKeys(ContentKey.of("one"));

    // assign the tag to the branch head
    Tag assigned =
        api.assignReference()
            .refName(tagName)
            .hash(c1.getHash())
            .asTag()
            .assignTo(c2)
            .assignAndGet();
    assertThat(assigned.getName()).isEqualTo(tagName);
    assertThat(assigned.getHash()).as("hash of the reassigned tag").isEqualTo(c2.getHash());
    assertThat(headOf(tagName)).isEqualTo(c2.getHash());

    // assigning with a stale expected hash fails
    NessieReferenceConflictException stale =
        expectThrows(
            NessieReferenceConflictException.class,
            () ->
                api.assignReference()
                    .asTag()
                    .refName(tagName)
                    .hash(c1.getHash())
                    .assignTo(Branch.of(b.getName(), c1.getHash()))
                    .assign(),
            "assign tag with a stale expected hash");
    assertThat(stale.getStatus()).isEqualTo(409);
    assertThat(headOf(tagName)).isEqualTo(c2.getHash());

    // assign back to c1 through assignReference().reference(tag)
    api.assignReference().reference(Tag.of(tagName, c2.getHash())).assignTo(Tag.of(tagName, c1.getHash())).assign();
    assertThat(headOf(tagName)).isEqualTo(c1.getHash());

    // tags cannot be committed to: "Reference must be a branch." (400)
    expectThrows(
        NessieBadRequestException.class,
        () ->
            api.commitMultipleOperations()
                .branchName(tagName)
                .hash(c1.getHash())
                .commitMeta(meta("onto a tag"))
                .operation(Put.of(ContentKey.of("three"), Namespace.of("three")))
                .commit(),
        "commit to a tag");

    Tag deleted = api.deleteReference().refName(tagName).hash(c1.getHash()).asTag().getAndDelete();
    assertThat(deleted.getName()).isEqualTo(tagName);
    assertThat(deleted.getHash()).isEqualTo(c1.getHash());
    expectThrows(NessieReferenceNotFoundException.class, () -> ref(tagName), "getReference of a deleted tag");
  }

  @Test
  void assignBranch() throws Exception {
    Branch b = newBranch("assign");
    Branch c1 = commit(b, "x", Put.of(ContentKey.of("x"), Namespace.of("x"))).getTargetBranch();
    Branch other = newBranch("assign-target");

    Branch moved = api.assignReference().refName(other.getName()).hash(other.getHash()).asBranch().assignTo(c1).assignAndGet();
    assertThat(moved.getName()).isEqualTo(other.getName());
    assertThat(moved.getHash()).isEqualTo(c1.getHash());
    assertThat(api.getContent().refName(other.getName()).key(ContentKey.of("x")).get())
        .as("contents of the reassigned branch")
        .containsOnlyKeys(ContentKey.of("x"));
  }

  @Test
  void duplicateReferenceIsRejected() throws Exception {
    Branch b = newBranch("dup");
    NessieReferenceAlreadyExistsException e =
        expectThrows(
            NessieReferenceAlreadyExistsException.class,
            () -> api.createReference().sourceRefName("main").reference(Branch.of(b.getName(), b.getHash())).create(),
            "create a branch that exists");
    assertThat(e.getErrorCode()).isEqualTo(ErrorCode.REFERENCE_ALREADY_EXISTS);
    assertThat(e.getStatus()).isEqualTo(409);

    expectThrows(
        NessieReferenceAlreadyExistsException.class,
        () -> api.createReference().sourceRefName("main").reference(Tag.of(b.getName(), b.getHash())).create(),
        "create a tag with the name of an existing branch");

    expectThrows(
        NessieReferenceAlreadyExistsException.class,
        () -> api.createReference().sourceRefName("main").reference(Branch.of("main", b.getHash())).create(),
        "create branch 'main' again");
  }

  @Test
  void unknownReferences() throws Exception {
    String missing = uniqueName("missing");
    NessieReferenceNotFoundException e =
        expectThrows(NessieReferenceNotFoundException.class, () -> ref(missing), "getReference of an unknown name");
    assertThat(e.getErrorCode()).isEqualTo(ErrorCode.REFERENCE_NOT_FOUND);
    assertThat(e.getStatus()).isEqualTo(404);

    expectThrows(
        NessieNotFoundException.class,
        () -> api.getEntries().refName(missing).get(),
        "getEntries on an unknown reference");
    expectThrows(
        NessieNotFoundException.class,
        () -> api.getCommitLog().refName(missing).get(),
        "getCommitLog on an unknown reference");
    expectThrows(
        NessieNotFoundException.class,
        () -> api.getContent().refName(missing).key(ContentKey.of("a")).get(),
        "getContent on an unknown reference");
    Branch main = mainBranch();
    expectThrows(
        NessieReferenceNotFoundException.class,
        () ->
            api.commitMultipleOperations()
                .branchName(missing)
                .hash(main.getHash())
                .commitMeta(meta("nowhere"))
                .operation(Put.of(ContentKey.of("a"), Namespace.of("a")))
                .commit(),
        "commit to an unknown branch");
    expectThrows(
        NessieReferenceNotFoundException.class,
        () -> api.deleteReference().refName(missing).hash(main.getHash()).delete(),
        "delete an unknown branch");
    // a well-formed hash that is no commit
    expectThrows(
        NessieReferenceNotFoundException.class,
        () -> api.getEntries().refName("main").hashOnRef("deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef").get(),
        "getEntries at an unknown commit hash");
    expectThrows(
        NessieReferenceNotFoundException.class,
        () -> api.createReference().sourceRefName("main").reference(Branch.of(uniqueName("nohash"), "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef")).create(),
        "create a branch at an unknown commit hash");
    expectThrows(
        NessieNotFoundException.class,
        () -> api.mergeRefIntoBranch().branch(main).fromRefName(missing).fromHash(main.getHash()).merge(),
        "merge from an unknown reference");
    assertThat(List.of(headOf("main"))).containsExactly(main.getHash());
  }
}
