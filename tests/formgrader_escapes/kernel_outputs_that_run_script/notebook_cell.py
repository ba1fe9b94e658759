from IPython.display import display

HTML = '<img src=x onerror="__PAYLOAD__">'
display({"text/html": HTML, "text/plain": "html"}, raw=True)
display({"text/markdown": HTML, "text/plain": "markdown"}, raw=True)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="__PAYLOAD__"/>'
display({"image/svg+xml": SVG, "text/plain": "svg"}, raw=True)
display({"application/javascript": "__PAYLOAD__", "text/plain": "js"}, raw=True)
display({"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
         "text/plain": "widget"}, raw=True)
display({"text/latex": r"$\href{javascript:__PAYLOAD__}{click}$", "text/plain": "latex"}, raw=True)
print("displayed the outputs")
