"""The README's Python example prints the same with `import nabla as th` as with `import torch as th`."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_example_matches_torch():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python and Jupyter"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "import nabla as th" in code
    prelude = "import sys; sys.path[:0] = %r\n" % (sys.path,)
    outputs = []
    for module in ["nabla", "torch"]:
        src = prelude + code.replace("import nabla as th", f"import {module} as th")
        out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout)
    assert outputs[0] and outputs[0] == outputs[1]
