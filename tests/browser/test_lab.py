"""The student's path in JupyterLab, driven in headless Chromium.

The module starts one JupyterLab from the project's ``.venv`` on 127.0.0.1 (a free port, a
token, a private HOME, ``JUPYTER_PREFER_ENV_PATH=1``, the save hook ``make lab`` uses) on a
temporary copy of ``notebooks/`` and ``exercises/student/``, the lessons' copies at their smoke
parameters, and one JupyterLab page on it, which its tests share (each pytest-xdist worker that
runs them has its own); a test closes the tabs it opened.  In the browser: lessons are opened
from the file browser and run with *Run All Cells*, a group of lessons in tabs of the page
(each runs while the next is opened); the test waits until every cell has run and the kernel
is idle, then checks that no cell shows an error, that no widget is left loading or broken, that
the kernel is the project's ``.venv`` Python, that moving a slider of each explorer with the
keyboard changes its summary numbers and its figure, and that the saved lesson is byte for byte
the copy it started from (so ``git status`` stays clean).  A student exercise gets a wrong answer
to question 1 and the public check's message is read on screen.  Screenshots go to
``build/test-artifacts/``; a failure keeps a screenshot and prints the notebook's error text.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import cxlib
from cxlib import _lab

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
LESSONS = sorted(stem for stems in cxlib.TOPICS.values() for stem in stems)
#: Lessons run in the tabs of one JupyterLab page, five at a time. Loading JupyterLab costs Chromium
#: 6-8 s of CPU and starting one costs 2-5 s, about what a lesson costs at smoke size: the tests
#: share one server and one page (per xdist worker), and each group of five lessons is one test.
#: The tests are in no xdist group, so pytest-xdist hands them to whichever worker is free.
GROUP = 5
GROUPS = [LESSONS[i:i + GROUP] for i in range(0, len(LESSONS), GROUP)]
RUN_TIMEOUT = 600  # seconds for a group of lessons to run at smoke size: a guard against a hang, on a busy machine


class Lab:
    """A JupyterLab server on a temporary copy of the course, started and stopped by one test."""

    def __init__(self, tmp: Path):
        self.root = tmp / "course"
        (self.root / "notebooks").mkdir(parents=True)
        self.copies = {stem: _lab.smoke_copy(ROOT / "notebooks" / f"{stem}.ipynb",
                                             self.root / "notebooks" / f"{stem}.ipynb") for stem in LESSONS}
        shutil.copytree(ROOT / "exercises" / "student", self.root / "exercises" / "student")
        home = tmp / "home"
        home.mkdir()
        settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
        for plugin, values in {
            # no news or update checks (no network), and every cell kept in the page so that
            # the test can read every prompt and output
            "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
            "notebook-extension/tracker": {"windowingMode": "none"},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "VIRTUAL_ENV"))}
        env.update(HOME=str(home), JUPYTER_PREFER_ENV_PATH="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                   JUPYTERLAB_SETTINGS_DIR=str(home / ".jupyter" / "lab" / "user-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / ".jupyter" / "lab" / "workspaces"),
                   PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}")
        self.log = tmp / "jupyter.log"
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--LabApp.expose_app_in_browser=True",
               # what `make lab` passes (Makefile LAB_FLAGS): notebooks are saved clean
               "--ContentsManager.pre_save_hook=cxlib._lab.strip_on_save"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.api("status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not start:\n{self.log.read_text()[-3000:]}") from None
                time.sleep(0.25)  # polling interval of the wait for the server

    def api(self, path: str):
        request = urllib.request.Request(f"{self.url}/api/{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def kernel_pythons(self) -> dict[str, str]:
        """The command each running kernel was started with (its argv[0]), by kernel id."""
        found = {}
        for kernel in self.api("kernels"):
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    argv = cmdline.read_bytes().split(b"\0")
                except OSError:
                    continue
                if any(f"kernel-{kernel['id']}.json".encode() in a for a in argv):
                    found[kernel["id"]] = argv[0].decode()
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)  # its own session: the server and its kernels
                self.proc.wait()


# --- the notebook as the page shows it (window.jupyterapp: --LabApp.expose_app_in_browser) ---

STATES_JS = """(ids) => {
  // the notebooks in tabs ``ids``, read from their models in one call (the test polls it while
  // the lessons run: one call for all tabs, and an output is serialised only if it is an error)
  const widgets = [...window.jupyterapp.shell.widgets('main')];
  return ids.map(id => {
    const panel = widgets.find(w => w.id === id);
    if (!panel || !panel.content || !panel.sessionContext) return null;
    const cells = panel.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
    const errors = [];
    for (const cell of cells) {
      const outputs = cell.model.outputs;
      for (let i = 0; i < outputs.length; i++) {
        if (outputs.get(i).type !== 'error') continue;
        const out = outputs.get(i).toJSON();
        errors.push(`cell ${panel.content.widgets.indexOf(cell)}: ${out.ename}: ${out.evalue}\\n` +
                    (out.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '').slice(-2500));
      }
    }
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return {
      code_cells: cells.length,
      ran: cells.filter(c => c.model.executionCount !== null).length,
      running: [...panel.node.querySelectorAll('.jp-InputPrompt')].filter(p => p.textContent.includes('*')).length,
      kernel: kernel ? kernel.status : 'none',
      errors: errors,
      dirty: panel.context.model.dirty,
    };
  });
}"""

EXPLORERS_JS = """() => {
  // an explorer (in the notebook on show): a VBox holding a slider, an HTML summary and an
  // Output with one figure
  const node = window.jupyterapp.shell.currentWidget.node;
  const boxes = [...node.querySelectorAll('.jp-OutputArea-output .widget-vbox')].filter(b =>
      b.querySelector('.widget-slider') && b.querySelector('.widget-html') &&
      b.querySelector('.widget-output img'));
  return boxes.filter(b => !boxes.some(o => o !== b && o.contains(b))).map(b => {
    b.setAttribute('data-cx-explorer', '');
    return {summary: b.querySelector('.widget-html').innerText, img: b.querySelector('.widget-output img').src};
  });
}"""


def states(page, panels: dict[str, str]) -> dict[str, dict]:
    """The notebook in each tab of ``panels`` (name: tab id); empty for a tab that is gone.
    (One call for all tabs: a call costs the browser, Playwright and the test some 7 ms.)"""
    return {name: s or {} for name, s in zip(panels, page.evaluate(STATES_JS, list(panels.values())))}


def finished(s: dict) -> bool:
    """Every code cell has run (or one failed, which stops Run All) and the kernel is idle."""
    return bool(s) and s["kernel"] == "idle" and s["running"] == 0 and (
        s["ran"] == s["code_cells"] or bool(s["errors"]))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab for this module's tests (on this worker)."""
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    """One JupyterLab page for this module's tests; each test closes the tabs it opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # a workspace of its own: nothing from an earlier session is restored into the page
    page.goto(f"{lab.url}/lab/workspaces/course?token={lab.token}")
    page.locator(".jp-DirListing-content").wait_for(timeout=90_000)
    yield page
    context.close()


def open_from_file_browser(page, folder: list[str], name: str) -> str:
    """Double-click through the file browser's ``folder`` to notebook ``name`` (``folder`` from
    the top of the course, which the breadcrumbs' home icon goes back to; ``[]``: the folder the
    browser shows); wait for its kernel; return the id of its tab."""
    if folder:
        page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        page.locator(".jp-DirListing-item", has_text=folder[0]).first.wait_for()
    for part in [*folder, name]:
        page.locator(".jp-DirListing-item", has_text=part).first.dblclick()
    page.wait_for_function("""(name) => { const p = window.jupyterapp.shell.currentWidget;
        return p && p.context && p.context.path.endsWith(name) && p.node.querySelector('.jp-Cell')
               && p.sessionContext.session && p.sessionContext.session.kernel
               && p.sessionContext.session.kernel.status === 'idle'; }""", arg=name, timeout=120_000)
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.id")


def show(page, panel: str) -> None:
    """Bring tab ``panel`` to the front (it becomes the current notebook)."""
    page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", panel)
    page.wait_for_function("(id) => window.jupyterapp.shell.currentWidget.id === id", arg=panel)


def run_all(page) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def wait_all(page, panels: dict, timeout: float) -> dict:
    """Poll every tab until its notebook has finished; return the final states."""
    deadline = time.monotonic() + timeout
    while True:
        now = states(page, panels)
        if all(finished(s) for s in now.values()):
            return now
        if time.monotonic() > deadline:
            pytest.fail("not finished in time: " + json.dumps({n: {k: v for k, v in s.items() if k != "errors"}
                                                             for n, s in now.items()}), pytrace=False)
        page.wait_for_timeout(500)  # polling interval; the guard is the state


def check_widgets(page, name: str) -> None:
    # widgets render after their comm messages: wait until none is still loading
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.node.innerText.includes('Loading widget...')",
                           timeout=60_000)
    text = page.evaluate("() => window.jupyterapp.shell.currentWidget.node.innerText")
    assert "Error displaying widget" not in text, f"{name}: a widget failed to display"


BUSY_COUNTER_JS = """() => {
  // count the kernel's turns to busy: a slider's move is handled (the explorer redrawn and its
  // new state sent to the page) when the kernel has been busy since the move and is idle again
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  window.cxBusy = window.cxBusy || {};
  if (window.cxBusy[kernel.id] === undefined) {
    window.cxBusy[kernel.id] = 0;
    kernel.statusChanged.connect((_, status) => { if (status === 'busy') window.cxBusy[kernel.id]++; });
  }
  return window.cxBusy[kernel.id];
}"""
HANDLED_JS = """(n) => { const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  return window.cxBusy[kernel.id] > n && kernel.status === 'idle'; }"""


def move_sliders(page, name: str, artifacts: Path) -> int:
    """Move a slider of each explorer with the keyboard; its summary and figure change.

    The first slider whose move changes the numbers counts (one step of a lever that does not
    bind in a smoke-size business may leave them as they were): after each move the test waits
    until the kernel has handled it, then compares, so a move that changes nothing costs seconds, not a timeout."""
    before = page.evaluate(EXPLORERS_JS)
    assert before, f"{name}: no explorer (sliders, a summary line and a figure) found"
    changed = """([box, summary, img]) => {
                   const s = box.querySelector('.widget-html'), i = box.querySelector('.widget-output img');
                   return s && i && s.innerText !== summary && i.src !== img; }"""
    panel = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    for i, old in enumerate(before):
        box = page.locator(f"[id='{panel}'] [data-cx-explorer]").nth(i)
        box.scroll_into_view_if_needed()
        for k in range(box.locator(".widget-slider").count()):
            slider = box.locator(".widget-slider").nth(k)
            handle, readout = slider.locator(".noUi-handle").first, slider.locator(".widget-readout").first
            value = readout.inner_text()
            busy = page.evaluate(BUSY_COUNTER_JS)
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.focus()
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            try:
                page.wait_for_function("([el, v]) => el.innerText !== v", arg=[readout.element_handle(), value],
                                       timeout=10_000)
            except Exception:
                pytest.fail(f"{name}: explorer {i}'s slider {k} did not move with the keyboard", pytrace=False)
            page.wait_for_function(HANDLED_JS, arg=busy, timeout=120_000)
            try:  # the kernel is idle: the new summary and figure are on their way or already shown
                page.wait_for_function(changed, arg=[box.element_handle(), old["summary"], old["img"]], timeout=5_000)
                break
            except Exception:
                old = page.evaluate(EXPLORERS_JS)[i]  # no change from this slider: try the next
        else:
            pytest.fail(f"{name}: no slider of explorer {i} changed its summary and figure", pytrace=False)
        new = box.locator(".widget-html").inner_text()
        assert any(ch.isdigit() for ch in new), f"{name}: explorer {i}'s summary has no numbers: {new!r}"
        box.screenshot(path=artifacts / f"lab-{name}-explorer-{i}.png")
    return len(before)


def close(page, panels) -> None:
    """Shut down the kernels of the tabs ``panels`` (ids) and close them."""
    page.evaluate("""async (ids) => {
      for (const w of [...window.jupyterapp.shell.widgets('main')].filter(w => ids.includes(w.id))) {
        await w.sessionContext.shutdown();
        w.dispose();
      }
    }""", list(panels))


def save(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000)


@pytest.mark.parametrize("group", GROUPS, ids=["+".join(s[:2] for s in g) for g in GROUPS])
def test_lessons_run_all_in_jupyterlab(lab, lab_page, artifacts, group):
    page = lab_page
    panels = {}
    try:
        for stem in group:  # each lesson in a tab of its own, opened while the one before runs
            panels[stem] = open_from_file_browser(page, [] if panels else ["notebooks"], f"{stem}.ipynb")
            run_all(page)
        states = wait_all(page, panels, RUN_TIMEOUT)
        pythons = lab.kernel_pythons()
        for stem, panel in panels.items():
            show(page, panel)
            page.screenshot(path=artifacts / f"lab-{stem}.png")
            assert not states[stem]["errors"], f"{stem} failed in JupyterLab:\n" + "\n".join(states[stem]["errors"])
            check_widgets(page, stem)
            move_sliders(page, stem, artifacts)
            save(page)
            # what the save hook writes is the copy as it was: a lesson run is no change for git
            assert lab.copies[stem].read_bytes() == (lab.root / "notebooks" / f"{stem}.ipynb").read_bytes(), \
                f"{stem}: saving the run lesson changed the file"
        assert len(pythons) == len(group), f"kernels found: {pythons}"
        assert {Path(p).parent for p in pythons.values()} == {VENV_BIN}, f"kernels not on the .venv: {pythons}"
    except BaseException:
        _report(page, lab, panels, f"lab-{'+'.join(s[:2] for s in group)}-failure.png", artifacts)
        raise
    finally:
        close(page, panels.values())


def test_exercise_public_check_in_jupyterlab(lab, lab_page, artifacts):
    page = lab_page
    panels = {}  # the exercise's tab, once it is open
    try:
        panels["exercise"] = open_from_file_browser(page, ["exercises", "student"], "02_loyalty_and_revenue.ipynb")
        run_all(page)  # stops at question 1: "write your answer here"
        s = wait_all(page, panels, RUN_TIMEOUT)["exercise"]
        assert s["errors"] and "NotImplementedError" in s["errors"][0], s
        # the student types a wrong answer into question 1's cell and runs it
        index = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets.findIndex(
                                   c => c.model.sharedModel.getSource().includes('exercises.question("q1"'))""")
        cell = page.locator(f"[id='{panels['exercise']}'] .jp-Cell").nth(index)
        source = page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
                               ".model.sharedModel.getSource()", index)
        typed = "\n".join("naive = 250  # my answer" if line.startswith("raise NotImplementedError") else line
                          for line in source.splitlines() if not line.startswith("# write your answer"))
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(typed)
        page.keyboard.press("Shift+Enter")
        message = cell.locator(".jp-OutputArea-output", has_text="q1: not yet")
        message.wait_for(timeout=60_000)
        text = message.inner_text()
        assert "should lie between -100 and 100; yours is 250" in text and "Hint:" in text, text
        kinds = page.evaluate("""(i) => { const o = window.jupyterapp.shell.currentWidget.content.widgets[i].model.outputs;
                                   return [...Array(o.length).keys()].map(k => o.get(k).toJSON().output_type); }""", index)
        assert "execute_result" not in kinds, f"the answer was echoed as the cell's value: {kinds}"
        cell.screenshot(path=artifacts / "lab-exercise-02-q1.png")
    except BaseException:
        _report(page, lab, panels, "lab-exercise-failure.png", artifacts)
        raise
    finally:
        close(page, panels.values())


def _report(page, lab: Lab, panels: dict, shot: str, artifacts: Path) -> None:
    """On a failure: a screenshot of the page, each tab's state and the end of JupyterLab's log."""
    try:
        page.screenshot(path=artifacts / shot, full_page=True)
        for name, s in states(page, panels).items():
            print(f"--- {name}: {json.dumps(s)[:4000]}")
    except Exception as exc:  # the page may be gone
        print(f"--- no screenshot or state ({exc})")
    print(f"--- JupyterLab log (last lines):\n{lab.log.read_text()[-3000:]}")
