from IPython.display import display

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
HANDLERS = "1 onload=__PAYLOAD__ onerror=__PAYLOAD__"
display({"image/png": PNG, "text/plain": "<png>"}, raw=True, metadata={"image/png": {"width": HANDLERS}})
display({"image/png": PNG, "text/plain": "<png>"}, raw=True, metadata={"image/png": {"height": HANDLERS}})
display({"image/jpeg": "/9j/4AAQSkZJRg==", "text/plain": "<jpeg>"}, raw=True,
        metadata={"image/jpeg": {"width": HANDLERS, "height": HANDLERS, "alt": '"><img src=x onerror="__PAYLOAD__">'}})
print("displayed the images")
