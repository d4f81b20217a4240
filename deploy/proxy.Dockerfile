# The proxy image: nginx (deploy/nginx.conf) plus Streamlit's static app shell, so nginx serves
# the shell's scripts, styles and fonts itself. The shell comes from the same streamlit wheel as
# the app (the version pinned in requirements.txt; tests/test_deploy.py checks it).
FROM python:3.11-slim AS shell
RUN pip install --no-cache-dir --no-deps streamlit==1.67.0
# Compressed once here, served as they are (nginx gzip_static): scripts, styles, html, json, svg.
RUN find /usr/local/lib/python3.11/site-packages/streamlit/static -type f \
      \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.json' -o -name '*.svg' \) \
      -size +1k -exec gzip -6 -k {} +

FROM nginx:1.27-alpine
COPY --from=shell /usr/local/lib/python3.11/site-packages/streamlit/static /srv/streamlit-static
COPY deploy/nginx.conf /etc/nginx/nginx.conf
