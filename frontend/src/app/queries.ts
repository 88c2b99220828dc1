// Server state through TanStack Query: one cache per kind of answer, refetched when the window regains focus, and
// invalidated by what changes it (not one global counter that refetched everything).
import { QueryClient, useInfiniteQuery, useQuery, type InfiniteData } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { tms, type ListQuery } from "../api/tms";
import type { Label, Page, Project, Task } from "../api/types";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // What another member changed shows up on the next visit: a list is shown from the cache at once and
      // fetched again behind it whenever it is shown (or the window regains focus).
      staleTime: 0,
      // Offline, the client answers from the lists last seen (with the unsent writes on them): ask it anyway.
      networkMode: "offlineFirst",
      refetchOnWindowFocus: true,
      // A 4xx answer will not change by asking again (404: gone or not shared; 403: not allowed).
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

export const keys = {
  all: ["tasks"] as const,
  list: (query: ListQuery) => ["tasks", "list", query] as const,
  board: (query: ListQuery) => ["tasks", "board", query] as const,
  task: (id: number) => ["tasks", "one", id] as const,
  labels: ["labels"] as const,
  projects: ["projects"] as const,
  trash: ["trash"] as const,
  /** The tasks due from one day to another (both included), for the calendar. */
  calendar: (from: string, to: string) => ["tasks", "calendar", from, to] as const,
  notificationSummary: ["notifications", "summary"] as const,
  notificationList: ["notifications", "list"] as const,
  notificationSettings: ["notifications", "settings"] as const,
  push: ["push"] as const,
  calendarFeed: ["calendar-feed"] as const,
};

export const useLabels = (enabled = true) => useQuery<Label[]>({ queryKey: keys.labels, queryFn: () => tms().labels(), enabled });
export const useProjects = (enabled = true) => useQuery<Project[]>({ queryKey: keys.projects, queryFn: () => tms().projects(), enabled });

/** A list's pages, loaded 50 at a time ("Load more" fetches the next); a change keeps every loaded page. */
export function useTaskPages(query: ListQuery) {
  return useInfiniteQuery<Page<Task>, Error, InfiniteData<Page<Task>>, ReturnType<typeof keys.list>, string | null>({
    queryKey: keys.list(query),
    queryFn: ({ pageParam }) => (pageParam ? tms().page(pageParam) : tms().tasks({ ...query, page_size: 50 })),
    initialPageParam: null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

/** Every task of a board, however many (pages of 100, fetched one after another). */
export function useBoardTasks(query: ListQuery) {
  return useQuery<Task[]>({
    queryKey: keys.board(query),
    queryFn: async () => {
      let page = await tms().tasks({ ...query, ordering: "position", page_size: 100 });
      const all = [...page.results];
      while (page.next) {
        page = await tms().page(page.next);
        all.push(...page.results);
      }
      return all;
    },
  });
}

export const useTask = (id: number | null) =>
  useQuery<Task>({ queryKey: keys.task(id ?? 0), queryFn: () => tms().task(id as number), enabled: id !== null });

/** Every cached copy of a task (lists, boards, the task itself) changed by `update`; undefined removes it. */
export function patchCachedTask(id: number, update: (task: Task) => Task | undefined): void {
  queryClient.setQueriesData<InfiniteData<Page<Task>>>({ queryKey: ["tasks", "list"] }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({ ...page, results: mapTasks(page.results, id, update) })),
        }
      : data,
  );
  queryClient.setQueriesData<Task[]>({ queryKey: ["tasks", "board"] }, (tasks) => (tasks ? mapTasks(tasks, id, update) : tasks));
  queryClient.setQueryData<Task>(keys.task(id), (task) => (task ? (update(task) ?? task) : task));
}

function mapTasks(tasks: Task[], id: number, update: (task: Task) => Task | undefined): Task[] {
  return tasks.flatMap((task) => {
    if (task.id !== id) return [task];
    const next = update(task);
    return next ? [next] : [];
  });
}

/** A snapshot of every task cache, to put back when an optimistic change is refused. */
export function snapshotTasks(): [readonly unknown[], unknown][] {
  return queryClient.getQueriesData({ queryKey: keys.all });
}

export function restoreTasks(snapshot: [readonly unknown[], unknown][]): void {
  for (const [key, data] of snapshot) queryClient.setQueryData(key, data);
}

/** After a change: every task list and board fetched again (in the background, the cache is shown meanwhile). */
export const refreshTasks = () => queryClient.invalidateQueries({ queryKey: keys.all });

/** A task as some list or board on screen holds it (for shortcuts acting on the focused row). */
export function cachedTask(id: number): Task | undefined {
  for (const [, data] of queryClient.getQueriesData<InfiniteData<Page<Task>> | Task[] | Task>({ queryKey: keys.all })) {
    if (!data) continue;
    const tasks = Array.isArray(data) ? data : "pages" in data ? data.pages.flatMap((p) => p.results) : [data];
    const found = tasks.find((task) => task.id === id);
    if (found) return found;
  }
  return undefined;
}
