// Entry point: styles, routing, and the app shell. Everything else is loaded per screen.
import { render } from 'preact'
import { App } from './app.js'
import { installRouter } from './lib/router.js'
import './styles.css'

installRouter()
render(<App />, document.getElementById('app')!)
