import { render } from 'preact';
import './style.css';
import { Popup } from '../../components/popup/Popup';

render(<Popup />, document.getElementById('app') as HTMLElement);
