import { act, cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLanguage } from "../i18n";
import { ADA, apiError, BOB, makeProject, ME, member, page, respond, stubRoutes } from "../test-support";
import { MembersPanel } from "./MembersPanel";
import { ProjectHeader } from "./ProjectHeader";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setLanguage("en");
});

const MEMBERS = "/api/tasks/projects/10/members/";
const CAROL = { id: 3, username: "carol", display_name: "Carol" };

describe("MembersPanel for the owner", () => {
  const project = makeProject({ id: 10, role: "owner" });

  it("invites by username and lists the new member", async () => {
    let list = [member(ADA, "owner")];
    const api = stubRoutes({
      [`GET ${MEMBERS}`]: () => respond(200, page(list)),
      [`POST ${MEMBERS}`]: () => {
        list = [...list, member(BOB, "viewer")];
        return respond(201, list[1]);
      },
    });
    render(<MembersPanel project={project} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    await screen.findByText("Ada");
    await userEvent.type(screen.getByLabelText("Username or email"), "bob");
    await userEvent.selectOptions(screen.getByLabelText("Role"), "viewer");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(api.calls("POST", MEMBERS)[0].body).toEqual({ user: "bob", role: "viewer" });
    expect(await screen.findByRole("combobox", { name: "Role of bob" })).toHaveValue("viewer");
  });

  it("shows the server's answer to an invitation by email as it is", async () => {
    stubRoutes({
      [`GET ${MEMBERS}`]: respond(200, page([member(ADA, "owner")])),
      [`POST ${MEMBERS}`]: respond(202, { detail: "If an account uses this address, it now has access to the project." }),
    });
    render(<MembersPanel project={project} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "someone@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(await screen.findByRole("status")).toHaveTextContent("If an account uses this address, it now has access to the project.");
  });

  it("says when the person is already a member, and names an unknown username next to the field", async () => {
    const api = stubRoutes({
      [`GET ${MEMBERS}`]: respond(200, page([member(ADA, "owner"), member(BOB, "editor")])),
      [`POST ${MEMBERS}`]: apiError(409, "already_member", "bob is already a member of this project."),
    });
    render(<MembersPanel project={project} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "bob");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("bob is already a member of this project.");

    api.fetch.mockResolvedValueOnce(apiError(400, "invalid", "Some fields are invalid.", { user: ["No account has this username."] }));
    await userEvent.clear(screen.getByLabelText("Username or email"));
    await userEvent.type(screen.getByLabelText("Username or email"), "nobody");
    await userEvent.click(screen.getByRole("button", { name: "Invite" }));
    expect(await screen.findByText("No account has this username.")).toHaveAttribute("id", "user-error");
  });

  it("changes a member's role and removes a member; the owner's own row has neither", async () => {
    const api = stubRoutes({
      [`GET ${MEMBERS}`]: respond(200, page([member(ADA, "owner"), member(BOB, "editor")])),
      [`PATCH ${MEMBERS}2/`]: respond(200, member(BOB, "admin")),
      [`DELETE ${MEMBERS}2/`]: respond(204),
    });
    render(<MembersPanel project={project} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Role of bob" }), "admin");
    expect(api.calls("PATCH", `${MEMBERS}2/`)[0].body).toEqual({ role: "admin" });
    await userEvent.click(screen.getByRole("button", { name: "Remove bob" }));
    expect(api.calls("DELETE", `${MEMBERS}2/`)).toHaveLength(1);
    expect(screen.queryByRole("combobox", { name: "Role of Ada" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Leave project" })).not.toBeInTheDocument();
  });

  it("shows the server's refusal", async () => {
    stubRoutes({
      [`GET ${MEMBERS}`]: respond(200, page([member(ADA, "owner"), member(BOB, "editor")])),
      [`DELETE ${MEMBERS}2/`]: apiError(403, "permission_denied", "You do not have permission to perform this action."),
    });
    render(<MembersPanel project={project} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    await userEvent.click(await screen.findByRole("button", { name: "Remove bob" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to perform this action.");
  });
});

describe("MembersPanel for an editor", () => {
  const project = makeProject({ id: 10, role: "editor", owner: CAROL });

  it("lists the members without managing them, and leaves the project", async () => {
    const api = stubRoutes({
      [`GET ${MEMBERS}`]: respond(200, page([member(CAROL, "owner"), member(ADA, "editor"), member(BOB, "viewer")])),
      [`DELETE ${MEMBERS}1/`]: respond(204),
    });
    const onLeft = vi.fn();
    render(<MembersPanel project={project} me={ME} onLeft={onLeft} onClose={vi.fn()} />);
    const bob = (await screen.findByText("bob")).closest("li")!;
    expect(within(bob).getByText("Viewer")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Invite" })).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Remove/ })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Leave project" }));
    expect(api.calls("DELETE", `${MEMBERS}1/`)).toHaveLength(1);
    expect(onLeft).toHaveBeenCalledWith(project);
  });
});

describe("ProjectHeader", () => {
  const header = (role: "owner" | "admin" | "editor" | "viewer") =>
    render(
      <ProjectHeader
        project={makeProject({ role })}
        membersOpen={false}
        onToggleMembers={vi.fn()}
        onChanged={vi.fn()}
        onDeleted={vi.fn()}
      />,
    );

  it("gives the owner rename, archive and delete", () => {
    header("owner");
    for (const name of ["Members", "Rename", "Archive", "Delete project"]) expect(screen.getByRole("button", { name })).toBeInTheDocument();
  });

  it("gives an admin no delete, and a viewer only the member list", () => {
    header("admin");
    expect(screen.getByRole("button", { name: "Archive" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete project" })).not.toBeInTheDocument();
    header("viewer");
    const viewer = screen.getAllByRole("region", { name: "Project Garden" })[1];
    expect(
      within(viewer)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Members"]);
  });

  it("renames, archives and deletes after a confirmation", async () => {
    const api = stubRoutes({
      "PATCH /api/tasks/projects/10/": (body) => respond(200, makeProject(body as object)),
      "DELETE /api/tasks/projects/10/": respond(204),
    });
    const onChanged = vi.fn();
    const onDeleted = vi.fn();
    render(
      <ProjectHeader project={makeProject()} membersOpen={false} onToggleMembers={vi.fn()} onChanged={onChanged} onDeleted={onDeleted} />,
    );
    await userEvent.click(screen.getByRole("button", { name: "Rename" }));
    await userEvent.clear(screen.getByLabelText("Name"));
    await userEvent.type(screen.getByLabelText("Name"), "Allotment");
    await userEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect(onChanged).toHaveBeenLastCalledWith(expect.objectContaining({ name: "Allotment" }));
    await userEvent.click(screen.getByRole("button", { name: "Archive" }));
    expect(api.calls("PATCH", "/api/tasks/projects/10/").map((c) => c.body)).toEqual([{ name: "Allotment" }, { archived: true }]);
    await userEvent.click(screen.getByRole("button", { name: "Delete project" }));
    expect(api.calls("DELETE", "/api/tasks/projects/10/")).toHaveLength(0);
    await userEvent.click(screen.getByRole("button", { name: "Delete Garden" }));
    expect(onDeleted).toHaveBeenCalled();
  });
});

describe("in German", () => {
  it("names the roles and the controls in German, and follows a change of language", async () => {
    stubRoutes({ [`GET ${MEMBERS}`]: respond(200, page([member(ADA, "owner"), member(BOB, "editor")])) });
    render(<MembersPanel project={makeProject({ id: 10, role: "owner" })} me={ME} onLeft={vi.fn()} onClose={vi.fn()} />);
    const ada = (await screen.findByText("Ada")).closest("li")!;
    expect(within(ada).getByText("Owner")).toBeInTheDocument();
    act(() => setLanguage("de"));
    expect(within(ada).getByText("Eigentümer")).toBeInTheDocument();
    expect(within(ada).getByText("(Sie)")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Rolle von bob" })).toHaveDisplayValue("Bearbeiter");
    expect(screen.getByRole("button", { name: "Einladen" })).toBeInTheDocument();
  });
});
