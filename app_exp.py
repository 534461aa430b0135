import os
import ui.views as _v
if os.environ.get("EXP_NOCHART"):
    _v.chart = lambda fig, key, laid_out=False: None
exec(compile(open("/work/main/app.py").read(), "/work/main/app.py", "exec"))
