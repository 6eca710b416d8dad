package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.projectnessie.client.api.CreateNamespaceResult;
import org.projectnessie.error.NessieNamespaceAlreadyExistsException;
import org.projectnessie.error.NessieNamespaceNotEmptyException;
import org.projectnessie.error.NessieNamespaceNotFoundException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation.Put;

/**
 * The client-side namespace API of NessieApiV2 (what Iceberg's NessieCatalog calls): built on
 * getContent, getEntries with CEL filters, and commits, and on effectiveReference being a branch.
 */
class NamespaceApiTest extends NessieInterop {

  @Test
  void createGetListUpdateDelete() throws Exception {
    Branch b = newBranch("nsapi");
    CreateNamespaceResult created =
        api.createNamespace().refName(b.getName()).namespace(Namespace.of("sales")).property("owner", "ops").createWithResponse();
    Namespace sales = created.getNamespace();
    assertThat(sales.getElements()).containsExactly("sales");
    assertThat(sales.getProperties()).isEqualTo(Map.of("owner", "ops"));
    assertThat(isUuid(sales.getId())).as("id of the created namespace %s", sales.getId()).isTrue();
    assertThat(created.getEffectiveBranch().getHash()).isEqualTo(headOf(b.getName())).isNotEqualTo(b.getHash());

    Namespace eu = api.createNamespace().refName(b.getName()).namespace(Namespace.of("sales", "eu")).create();
    api.createNamespace().refName(b.getName()).namespace(Namespace.of("hr")).create();

    expectThrows(
        NessieNamespaceAlreadyExistsException.class,
        () -> api.createNamespace().refName(b.getName()).namespace(Namespace.of("sales")).create(),
        "createNamespace of an existing namespace");

    Namespace got = api.getNamespace().refName(b.getName()).namespace(Namespace.of("sales")).get();
    assertNamespace(got, Namespace.of(Map.of("owner", "ops"), "sales"), sales.getId(), "getNamespace(sales)");
    expectThrows(
        NessieNamespaceNotFoundException.class,
        () -> api.getNamespace().refName(b.getName()).namespace(Namespace.of("nope")).get(),
        "getNamespace of a missing namespace");

    assertThat(api.getMultipleNamespaces().refName(b.getName()).get().getNamespaces())
        .extracting(Namespace::toString)
        .as("all namespaces")
        .containsExactlyInAnyOrder("sales", "sales.eu", "hr");
    assertThat(api.getMultipleNamespaces().refName(b.getName()).namespace(Namespace.of("sales")).get().getNamespaces())
        .extracting(Namespace::toString)
        .as("namespaces under sales")
        .containsExactlyInAnyOrder("sales", "sales.eu");
    assertThat(api.getMultipleNamespaces().refName(b.getName()).onlyDirectChildren(true).get().getNamespaces())
        .extracting(Namespace::toString)
        .as("top-level namespaces")
        .containsExactlyInAnyOrder("sales", "hr");
    assertThat(
            api.getMultipleNamespaces()
                .refName(b.getName())
                .namespace(Namespace.of("sales"))
                .onlyDirectChildren(true)
                .get()
                .getNamespaces())
        .extracting(Namespace::toString)
        .as("direct children of sales")
        .containsExactly("sales.eu");

    api.updateProperties()
        .refName(b.getName())
        .namespace(Namespace.of("sales"))
        .updateProperty("region", "emea")
        .removeProperty("owner")
        .update();
    assertNamespace(
        api.getNamespace().refName(b.getName()).namespace(Namespace.of("sales")).get(),
        Namespace.of(Map.of("region", "emea"), "sales"),
        sales.getId(),
        "sales after updateProperties");

    // a table in sales.eu: sales.eu cannot be dropped, hr can
    Branch head = (Branch) ref(b.getName());
    commit(head, "table in sales.eu", Put.of(ContentKey.of("sales", "eu", "orders"), table("orders", 1)));
    expectThrows(
        NessieNamespaceNotEmptyException.class,
        () -> api.deleteNamespace().refName(b.getName()).namespace(Namespace.of("sales", "eu")).delete(),
        "deleteNamespace of a namespace holding a table");
    api.deleteNamespace().refName(b.getName()).namespace(Namespace.of("hr")).delete();
    assertThat(api.getMultipleNamespaces().refName(b.getName()).get().getNamespaces())
        .extracting(Namespace::toString)
        .containsExactlyInAnyOrder("sales", "sales.eu");
    assertThat(eu.getId()).isNotBlank();
  }
}
